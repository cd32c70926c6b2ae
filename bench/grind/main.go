// Command grind finds state keys whose path (sha256 of the key) shares its first bits with a
// target path: what an attacker pays to pile keys into the bucket of a hot key (issue 14, review
// M6). `poq bench store --ground N` builds and runs it (bench/store-scale.ts).
//
// A key is prefix || address || suffix, the address 20 bytes an attacker chooses freely (a bank
// balance key: anyone can send to any address). Address i is "poq-ground--" (12 bytes) followed by
// u64be(i); addresses are tried from i = 0 upwards, and the first `count` hits in that order are
// printed (hex, one per line), whatever the number of workers. A summary goes to stderr as JSON.
//
// Usage: grind -prefix HEX -suffix HEX -target HEX -bits 16 -count 10000 [-workers 2]
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

const chunk = 1 << 20

var tag = []byte("poq-ground--")

type result struct {
	index uint64
	hits  []uint64
}

// sharedBits is the number of leading bits a and b have in common.
func sharedBits(a, b []byte) int {
	for i := range a {
		if x := a[i] ^ b[i]; x != 0 {
			n := 0
			for x&0x80 == 0 {
				x <<= 1
				n++
			}
			return i*8 + n
		}
	}
	return len(a) * 8
}

func main() {
	prefixHex := flag.String("prefix", "", "key bytes before the address (hex)")
	suffixHex := flag.String("suffix", "", "key bytes after the address (hex)")
	targetHex := flag.String("target", "", "the hot key's path, sha256 of the key (hex)")
	bits := flag.Int("bits", 16, "leading path bits a key must share with the target")
	count := flag.Int("count", 1000, "keys to find")
	workers := flag.Int("workers", runtime.NumCPU(), "goroutines")
	flag.Parse()
	prefix, err1 := hex.DecodeString(*prefixHex)
	suffix, err2 := hex.DecodeString(*suffixHex)
	target, err3 := hex.DecodeString(*targetHex)
	if err1 != nil || err2 != nil || err3 != nil || len(target) != 32 || *bits < 1 || *bits > 64 || *count < 1 {
		fmt.Fprintln(os.Stderr, "grind: bad arguments")
		os.Exit(2)
	}
	want := binary.BigEndian.Uint64(target[:8]) >> (64 - uint(*bits)) << (64 - uint(*bits))
	mask := ^uint64(0) >> (64 - uint(*bits)) << (64 - uint(*bits))
	addrAt := len(prefix) + len(tag)

	start := time.Now()
	var next atomic.Uint64
	var stop atomic.Bool
	results := make(chan result, *workers*2)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := make([]byte, 0, len(prefix)+20+len(suffix))
			msg = append(append(append(append(msg, prefix...), tag...), make([]byte, 8)...), suffix...)
			for !stop.Load() {
				c := next.Add(1) - 1
				var hits []uint64
				for i := c * chunk; i < (c+1)*chunk; i++ {
					binary.BigEndian.PutUint64(msg[addrAt:], i)
					sum := sha256.Sum256(msg)
					if binary.BigEndian.Uint64(sum[:8])&mask == want {
						hits = append(hits, i)
					}
				}
				results <- result{c, hits}
			}
		}()
	}
	done := map[uint64][]uint64{}
	var found []uint64
	var contiguous uint64
	for len(found) < *count {
		r := <-results
		done[r.index] = r.hits
		for {
			h, ok := done[contiguous]
			if !ok {
				break
			}
			found = append(found, h...)
			delete(done, contiguous)
			contiguous++
		}
	}
	stop.Store(true)
	go func() { wg.Wait(); close(results) }()
	for range results {
	}
	sort.Slice(found, func(a, b int) bool { return found[a] < found[b] })
	found = found[:*count]

	out := bytes.Buffer{}
	maxShared := 0
	addr := make([]byte, 20)
	copy(addr, tag)
	for _, i := range found {
		binary.BigEndian.PutUint64(addr[12:], i)
		key := append(append(append([]byte{}, prefix...), addr...), suffix...)
		sum := sha256.Sum256(key)
		if s := sharedBits(sum[:], target); s > maxShared {
			maxShared = s
		}
		out.WriteString(hex.EncodeToString(addr))
		out.WriteByte('\n')
	}
	os.Stdout.Write(out.Bytes())
	summary, _ := json.Marshal(map[string]any{
		"tried":              (found[len(found)-1] + 1),
		"hashed":             contiguous * chunk,
		"seconds":            time.Since(start).Seconds(),
		"workers":            *workers,
		"max_shared_bits":    maxShared,
		"sha_per_second_all": float64(contiguous*chunk) / time.Since(start).Seconds(),
	})
	fmt.Fprintln(os.Stderr, string(summary))
}
