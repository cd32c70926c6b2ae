//go:build tools

// Package goref pins the Go reference of `poq bench chain --compare-go` (bench/compare-go.ts):
// ibc-go v8.8.0's testing simapp daemon, with the Cosmos SDK and CometBFT versions go.mod requires.
// `go build github.com/cosmos/ibc-go/v8/testing/simapp/simd` in this folder builds it.
package goref

import _ "github.com/cosmos/ibc-go/v8/testing/simapp/simd"
