// oom allocates without bound: the host must stop it at its memory limit.
package main

var hoard [][]byte

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 {
	for {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = byte(i)
		}
		hoard = append(hoard, b)
	}
}

func main() {}
