// echo writes its input message back as its output message without decoding it: the manifests
// come back unchanged (the host ignores the extra extraArgs field, as Helm's json.Unmarshal does).
// It is the cheapest possible post-renderer, so the benchmark measures the host with it; noop
// measures a plugin that decodes and encodes the message with encoding/json.
package main

import pdk "github.com/extism/go-pdk"

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 {
	pdk.Output(pdk.Input())
	return 0
}

func main() {}
