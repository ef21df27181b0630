// Command asmgen writes the AVX2 kernels of package jpegio with avo. It
// lives in its own module so that building sluice never needs avo; run it
// through go generate in package jpegio.
//
// The kernels come in groups, each written to its own assembly file with
// its own Go declarations: -group names the one to write. A group
// registers itself from the file that builds it (see register). Every
// kernel implements exactly the integer arithmetic of a pure-Go kernel in
// package jpegio, which stays the reference and the fallback (build tag
// purego, or a machine without AVX2): both give the same bytes.
package main

import (
	"flag"
	"log"
	"sort"
	"strings"

	. "github.com/mmcloughlin/avo/build"
)

var group = flag.String("group", "", "the group of kernels to write")

// groups maps a group's name to the function that builds its kernels.
var groups = map[string]func(){}

// register adds a group of kernels; each file of this command calls it
// from init.
func register(name string, build func()) { groups[name] = build }

func main() {
	flag.Parse()
	build, ok := groups[*group]
	if !ok {
		var names []string
		for n := range groups {
			names = append(names, n)
		}
		sort.Strings(names)
		log.Fatalf("asmgen: -group must be one of: %s", strings.Join(names, ", "))
	}
	ConstraintExpr("amd64,!purego")
	build()
	Generate()
}
