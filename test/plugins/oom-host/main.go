// oom-host allocates Extism host memory without bound (kernel alloc, outside its own linear
// memory): the host must count it against the memory limit and stop it.
package main

import pdk "github.com/extism/go-pdk"

var blocks []pdk.Memory

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 {
	for {
		blocks = append(blocks, pdk.Allocate(1<<20))
	}
}

func main() {}
