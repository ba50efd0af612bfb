// Package prv1 holds the postrenderer/v1 message types and YAML helpers the
// test plugins share. The host (src/plugins) sends the manifests as a YAML
// string and expects one back.
package prv1

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	pdk "github.com/extism/go-pdk"
	"gopkg.in/yaml.v3"
)

// Input is the postrenderer/v1 input message.
type Input struct {
	Manifests string   `json:"manifests"`
	ExtraArgs []string `json:"extraArgs"`
}

// Output is the postrenderer/v1 output message.
type Output struct {
	Manifests string `json:"manifests"`
}

// Run reads the input message, applies fn to the manifests and writes the
// output message. It returns the exit status for helm_plugin_main.
func Run(fn func(manifests string, extraArgs []string) (string, error)) uint32 {
	var in Input
	if err := pdk.InputJSON(&in); err != nil {
		pdk.SetError(fmt.Errorf("reading input message: %w", err))
		return 1
	}
	out, err := fn(in.Manifests, in.ExtraArgs)
	if err != nil {
		pdk.SetError(err)
		return 1
	}
	if err := pdk.OutputJSON(Output{Manifests: out}); err != nil {
		pdk.SetError(fmt.Errorf("writing output message: %w", err))
		return 1
	}
	return 0
}

// Decode splits a multi-document YAML stream into document nodes, skipping
// empty documents.
func Decode(manifests string) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewBufferString(manifests))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parsing manifests: %w", err)
		}
		if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
			continue
		}
		docs = append(docs, n.Content[0])
	}
}

// Encode joins documents back into one YAML stream.
func Encode(docs []*yaml.Node) (string, error) {
	var buf bytes.Buffer
	for _, d := range docs {
		buf.WriteString("---\n")
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(d); err != nil {
			return "", err
		}
		enc.Close()
	}
	return buf.String(), nil
}

// Get returns the value node for key in a mapping node, or nil.
func Get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Ensure returns the value node for key, creating it with kind if absent.
func Ensure(m *yaml.Node, key string, kind yaml.Kind) *yaml.Node {
	if v := Get(m, key); v != nil {
		return v
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	v := &yaml.Node{Kind: kind}
	if kind == yaml.MappingNode {
		v.Tag = "!!map"
	} else if kind == yaml.SequenceNode {
		v.Tag = "!!seq"
	}
	m.Content = append(m.Content, k, v)
	return v
}

// Set sets key to a string scalar in a mapping node.
func Set(m *yaml.Node, key, value string) {
	if v := Get(m, key); v != nil {
		*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

// Str returns a scalar child's value, or "".
func Str(m *yaml.Node, key string) string {
	if v := Get(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// Config returns an Extism config value or a default.
func Config(key, def string) string {
	if v, ok := pdk.GetConfig(key); ok && v != "" {
		return v
	}
	return def
}
