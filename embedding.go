package llmux

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/llmux/llmux/internal/jsonx"
)

// EmbeddingResponse is the result of [Client.Embedding], in OpenAI's
// shape. Members it does not model are kept in Extra; a decoded response is
// written back as it came.
type EmbeddingResponse struct {
	Object string                     `json:"object"`
	Model  string                     `json:"model"`
	Data   []EmbeddingVector          `json:"data"`
	Usage  Usage                      `json:"usage"`
	Extra  map[string]json.RawMessage `json:"-"`
	// Raw is the upstream body, untouched. It is not part of the JSON.
	Raw json.RawMessage `json:"-"`
	// CacheHit is set when the response came from the client's cache. It
	// is not part of the JSON.
	CacheHit bool `json:"-"`

	seen jsonx.Seen
}

var embeddingMembers = names("object", "data", "model", "usage")

// EmbeddingVector is one vector of an [EmbeddingResponse]. Vector always
// holds the floats. When the provider answered in base64 (the request's
// encoding_format "base64"), Base64 keeps that string as it came and the
// JSON writes it instead of the floats, so a gateway returns what the
// upstream sent; clear it after changing Vector.
type EmbeddingVector struct {
	Object string                     `json:"object"`
	Index  int                        `json:"index"`
	Vector []float32                  `json:"embedding"`
	Base64 string                     `json:"-"`
	Extra  map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

var vectorMembers = names("object", "index", "embedding")

// MarshalJSON encodes the response in OpenAI's shape.
func (r EmbeddingResponse) MarshalJSON() ([]byte, error) {
	n := 128
	for _, d := range r.Data {
		n += 12*len(d.Vector) + len(d.Base64) + 48
	}
	return jsonx.Encode(n, r.encode)
}

// UnmarshalJSON decodes OpenAI's embeddings response, with vectors as
// arrays of numbers or base64 strings of little-endian float32s.
func (r *EmbeddingResponse) UnmarshalJSON(b []byte) error {
	*r = EmbeddingResponse{}
	return wrapJSON("embedding response", jsonx.Decode(b, r.decode))
}

func (r *EmbeddingResponse) encode(e *jsonx.Enc) {
	s := r.seen
	e.Open()
	e.WStr(s, 0, "object", r.Object, true)
	if jsonx.Opens(s, 1, len(r.Data), true) {
		e.Name("data")
		if len(r.Data) == 0 && s.WasNull(1) {
			e.Null()
		} else {
			e.OpenArray()
			for i := range r.Data {
				r.Data[i].encode(e)
			}
			e.CloseArray()
		}
	}
	e.WStr(s, 2, "model", r.Model, true)
	if s.Emit(3, !r.Usage.IsZero(), true) {
		e.Name("usage")
		if r.Usage.IsZero() && s.WasNull(3) {
			e.Null()
		} else {
			r.Usage.encode(e)
		}
	}
	e.Extra(r.Extra, embeddingMembers)
	e.Close()
}

func (r *EmbeddingResponse) decode(rd *jsonx.R) {
	if !rd.Object() {
		rd.Errorf("embedding response: want an object")
		return
	}
	s := &r.seen
	s.Decoded = true
	for rd.More() {
		n := rd.Name()
		switch n.String() {
		case "object":
			r.Object = rd.Str(s, 0)
		case "data":
			if !rd.Array() {
				s.Mark(1, true)
				continue
			}
			s.Mark(1, false)
			r.Data = []EmbeddingVector{}
			for rd.More() {
				r.Data = append(r.Data, EmbeddingVector{})
				r.Data[len(r.Data)-1].decode(rd)
			}
			rd.End()
		case "model":
			r.Model = rd.Str(s, 2)
		case "usage":
			if rd.Null() {
				s.Mark(3, true)
				continue
			}
			s.Mark(3, false)
			r.Usage.decode(rd)
		default:
			rd.Extra(&r.Extra, n.String())
		}
	}
	rd.End()
}

// MarshalJSON encodes the vector in OpenAI's shape.
func (v EmbeddingVector) MarshalJSON() ([]byte, error) {
	return jsonx.Encode(48+12*len(v.Vector)+len(v.Base64), v.encode)
}

// UnmarshalJSON decodes one embedding object.
func (v *EmbeddingVector) UnmarshalJSON(b []byte) error {
	*v = EmbeddingVector{}
	return wrapJSON("embedding", jsonx.Decode(b, v.decode))
}

func (v *EmbeddingVector) encode(e *jsonx.Enc) {
	s := v.seen
	e.Open()
	e.WStr(s, 0, "object", v.Object, true)
	e.WInt(s, 1, "index", int64(v.Index), true)
	e.Name("embedding")
	switch {
	case v.Base64 != "":
		e.Str(v.Base64)
	case v.Vector == nil && s.WasNull(2):
		e.Null()
	default:
		e.OpenArray()
		for _, f := range v.Vector {
			e.Float32(f)
		}
		e.CloseArray()
	}
	e.Extra(v.Extra, vectorMembers)
	e.Close()
}

func (v *EmbeddingVector) decode(r *jsonx.R) {
	if !r.Object() {
		r.Errorf("embedding: want an object")
		return
	}
	s := &v.seen
	s.Decoded = true
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "object":
			v.Object = r.Str(s, 0)
		case "index":
			v.Index = int(r.Int(s, 1))
		case "embedding":
			switch r.Kind() {
			case '"':
				v.Base64 = r.Str(s, 2)
				vec, err := decodeBase64Vector(v.Base64)
				if err != nil {
					r.Errorf("embedding: %v", err)
				}
				v.Vector = vec
			case 'n':
				r.Null()
				s.Mark(2, true)
			default:
				if !r.Array() {
					continue
				}
				v.Vector = make([]float32, 0, 256)
				for r.More() {
					f, null, err := r.Dec.Float()
					if err != nil || null {
						r.Fail(err)
						if null {
							r.Errorf("embedding: want a number, got null")
						}
						break
					}
					v.Vector = append(v.Vector, float32(f))
				}
				r.End()
			}
		default:
			r.Extra(&v.Extra, n.String())
		}
	}
	r.End()
}

// decodeBase64Vector decodes a base64 string of little-endian float32s.
func decodeBase64Vector(s string) ([]float32, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64: %w", err)
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("base64: %d bytes is not a whole number of float32s", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}
