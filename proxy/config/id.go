package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
)

// assignIDs gives every deployment without model_info.id one made from its
// model name and litellm_params. Secrets go into the hash as they print (a
// reference or a mask), never as values. Two deployments that hash alike
// (the same model twice with keys that mask alike) get "-2", "-3"... in file
// order; so does a generated id equal to one the file gives. Replicas reading
// the same file get the same ids.
func (c *Config) assignIDs() {
	taken := make(map[string]bool, len(c.ModelList))
	for _, d := range c.ModelList {
		if d.Info.ID != "" {
			taken[d.Info.ID] = true
		}
	}
	for i := range c.ModelList {
		d := &c.ModelList[i]
		if d.Info.ID != "" {
			continue
		}
		base := deploymentHash(d)
		id := base
		for n := 2; taken[id]; n++ {
			id = base + "-" + strconv.Itoa(n)
		}
		taken[id] = true
		d.Info.ID = id
	}
}

// deploymentHash is the first 16 hex digits of the SHA-256 of the
// deployment's model name and litellm_params as JSON (map keys sorted, so
// the order of keys in the file does not matter).
func deploymentHash(d *Deployment) string {
	in := struct {
		ModelName string `json:"model_name"`
		Params    Params `json:"litellm_params"`
	}{d.ModelName, d.Params}
	b, err := json.Marshal(in)
	if err != nil { // a NaN in Extra, in a Config built in Go
		b = fmt.Appendf(nil, "%v", in)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
