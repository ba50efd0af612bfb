// kernel-probe exercises every Extism kernel function a Go PDK plugin reaches (input, output,
// error, config, variables, logs, host memory blocks) and reports what it saw as JSON, so a test
// can run it on Capstan's kernel and on the Extism JS SDK's and compare the reports.
// Input: any bytes; if they contain "kernel-probe:fail", it sets an error and returns 3.
package main

import (
	"bytes"
	"encoding/json"

	pdk "github.com/extism/go-pdk"
)

type report struct {
	InputLength   int               `json:"inputLength"`
	InputSum      uint64            `json:"inputSum"`
	Config        map[string]string `json:"config"`
	ConfigMissing []string          `json:"configMissing"`
	Vars          map[string]string `json:"vars"`
	VarInt        int               `json:"varInt"`
	Blocks        int               `json:"blocks"`
	BlockSum      uint64            `json:"blockSum"`
	LengthsOK     bool              `json:"lengthsOK"`
}

//go:wasmexport helm_plugin_main
func helmPluginMain() uint32 {
	in := pdk.Input()
	if bytes.Contains(in, []byte("kernel-probe:fail")) {
		pdk.Log(pdk.LogError, "failing on request")
		pdk.SetErrorString("probe failed on request")
		return 3
	}
	r := report{InputLength: len(in), Config: map[string]string{}, Vars: map[string]string{}, LengthsOK: true}
	for _, b := range in {
		r.InputSum = r.InputSum*31 + uint64(b)
	}
	for _, k := range []string{"greeting", "absent", "override"} {
		if v, ok := pdk.GetConfig(k); ok {
			r.Config[k] = v
		} else {
			r.ConfigMissing = append(r.ConfigMissing, k)
		}
	}
	pdk.SetVar("a", []byte("one"))
	pdk.SetVar("b", []byte("two"))
	pdk.SetVar("a", []byte("uno"))
	pdk.RemoveVar("b")
	pdk.SetVarInt("n", 42)
	r.VarInt = pdk.GetVarInt("n")
	for _, k := range []string{"a", "b"} {
		if v := pdk.GetVar(k); v != nil {
			r.Vars[k] = string(v)
		}
	}
	// Host memory: blocks of odd sizes written and read back through load/store u8 and u64.
	var mems []pdk.Memory
	for i := 0; i < 300; i++ {
		data := make([]byte, (i*37)%211+1)
		for j := range data {
			data[j] = byte(i + j*7)
		}
		m := pdk.AllocateBytes(data)
		if m.Length() != uint64(len(data)) {
			r.LengthsOK = false
		}
		mems = append(mems, m)
	}
	for i, m := range mems {
		if i%3 == 0 {
			m.Free()
			continue
		}
		got := m.ReadBytes()
		for _, b := range got {
			r.BlockSum = r.BlockSum*131 + uint64(b)
		}
		r.Blocks++
	}
	pdk.Log(pdk.LogTrace, "trace line")
	pdk.Log(pdk.LogDebug, "debug line")
	pdk.Log(pdk.LogInfo, "info line")
	pdk.Log(pdk.LogWarn, "warn line")
	out, err := json.Marshal(r)
	if err != nil {
		pdk.SetError(err)
		return 1
	}
	pdk.Output(out)
	return 0
}

func main() {}
