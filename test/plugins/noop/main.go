// noop returns the manifests unchanged; the benchmark measures host overhead with it.
package main

import "capstan.dev/testplugins/internal/prv1"

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 {
	return prv1.Run(func(m string, _ []string) (string, error) { return m, nil })
}

func main() {}
