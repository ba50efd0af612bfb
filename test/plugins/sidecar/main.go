// sidecar appends a container to every Deployment's pod template.
// Config: image (default busybox:1.36), name (default sidecar).
package main

import (
	"capstan.dev/testplugins/internal/prv1"
	"gopkg.in/yaml.v3"
)

func inject(manifests string, _ []string) (string, error) {
	docs, err := prv1.Decode(manifests)
	if err != nil {
		return "", err
	}
	name := prv1.Config("name", "sidecar")
	image := prv1.Config("image", "busybox:1.36")
	for _, d := range docs {
		if prv1.Str(d, "kind") != "Deployment" {
			continue
		}
		spec := prv1.Ensure(d, "spec", yaml.MappingNode)
		tpl := prv1.Ensure(spec, "template", yaml.MappingNode)
		podSpec := prv1.Ensure(tpl, "spec", yaml.MappingNode)
		containers := prv1.Ensure(podSpec, "containers", yaml.SequenceNode)
		c := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		prv1.Set(c, "name", name)
		prv1.Set(c, "image", image)
		args := prv1.Ensure(c, "args", yaml.SequenceNode)
		args.Content = append(args.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "sleep"},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "infinity"})
		containers.Content = append(containers.Content, c)
	}
	return prv1.Encode(docs)
}

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 { return prv1.Run(inject) }

func main() {}
