// loop never returns: the host must stop it at its time limit.
package main

var counter uint64

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 {
	for {
		counter++
	}
}

func main() {}
