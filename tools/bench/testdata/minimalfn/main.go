// Command minimalfn is the smallest go1 function: fc.Start with a trivial
// handler of the real function's shape. The bench builds it like the real
// binary and compares their cold starts: the difference is what the
// function's own code (its CLI included) adds to starting an instance.
package main

import (
	"context"

	"github.com/aliyun/fc-runtime-go-sdk/fc"
)

type summary struct {
	Counts map[string]int `json:"counts"`
}

func main() {
	fc.Start(func(context.Context, []byte) (summary, error) {
		return summary{Counts: map[string]int{}}, nil
	})
}
