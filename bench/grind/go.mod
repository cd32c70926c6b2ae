module poq.local/grind

go 1.23
