// hello is Capstan's equivalent of Helm's extismv1-test plugin (type test/v1):
// it greets Input.Name and writes the greeting to /tmp/greeting.txt, so it
// needs runtimeConfig.fileSystem.createTempDir. Written for this repository;
// Helm's own source lives in a nested module the Go proxy does not serve.
package main

import (
	"fmt"
	"os"

	pdk "github.com/extism/go-pdk"
)

type input struct{ Name string }

type output struct{ Greeting string }

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 {
	var in input
	if err := pdk.InputJSON(&in); err != nil {
		pdk.SetError(err)
		return 1
	}
	pdk.Log(pdk.LogDebug, "greeting "+in.Name)
	greeting := fmt.Sprintf("Hello, %s! (%d)", in.Name, len(in.Name))
	if err := os.WriteFile("/tmp/greeting.txt", []byte(greeting), 0o600); err != nil {
		pdk.SetError(fmt.Errorf("writing /tmp/greeting.txt: %w", err))
		return 1
	}
	if err := pdk.OutputJSON(output{Greeting: greeting}); err != nil {
		pdk.SetError(err)
		return 1
	}
	return 0
}

func main() {}
