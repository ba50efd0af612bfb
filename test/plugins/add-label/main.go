// add-label adds one label to every object. Config: label=KEY=VALUE
// (default capstan.dev/post-rendered=true).
package main

import (
	"fmt"
	"strings"

	"capstan.dev/testplugins/internal/prv1"
	"gopkg.in/yaml.v3"
)

func addLabel(manifests string, _ []string) (string, error) {
	key, value, ok := strings.Cut(prv1.Config("label", "capstan.dev/post-rendered=true"), "=")
	if !ok || key == "" {
		return "", fmt.Errorf("config label: want KEY=VALUE")
	}
	docs, err := prv1.Decode(manifests)
	if err != nil {
		return "", err
	}
	for _, d := range docs {
		meta := prv1.Ensure(d, "metadata", yaml.MappingNode)
		prv1.Set(prv1.Ensure(meta, "labels", yaml.MappingNode), key, value)
	}
	return prv1.Encode(docs)
}

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 { return prv1.Run(addLabel) }

func main() {}
