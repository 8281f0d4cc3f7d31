package llmux

import (
	"encoding/json"
	"strings"

	"github.com/llmux/llmux/internal/jsonx"
)

// Role is the author of a [Message].
type Role string

// The roles of the chat APIs.
const (
	RoleSystem    Role = "system"
	RoleDeveloper Role = "developer"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
	// RoleFunction is the result of a legacy function call (OpenAI's
	// deprecated functions API); providers without that API refuse it.
	RoleFunction Role = "function"
)

// Message is one chat message in OpenAI's shape. Content holds plain text;
// Parts, when set, holds multi-part content (text, images, audio, files)
// and takes precedence over Content on the wire.
//
// Its JSON is OpenAI's message object. Like every wire type of this
// package it is lossless: members it does not model are kept in Extra, and
// a decoded message is written back as it came, with its nulls and zeros
// (see the package documentation, "Wire types").
type Message struct {
	Role       Role          `json:"role"`
	Content    string        `json:"content"`
	Parts      []ContentPart `json:"-"`
	Name       string        `json:"name,omitempty"`
	ToolCalls  []ToolCall    `json:"tool_calls,omitempty"`
	ToolCallID string        `json:"tool_call_id,omitempty"`
	Refusal    string        `json:"refusal,omitempty"`
	// ReasoningContent is the model's reasoning as text: OpenAI-compatible
	// servers' reasoning_content (DeepSeek, vLLM, LiteLLM) and, joined, the
	// text of Anthropic's thinking blocks.
	ReasoningContent string `json:"reasoning_content,omitempty"`
	// ThinkingBlocks are Anthropic's thinking and redacted_thinking blocks,
	// with their signatures (LiteLLM's thinking_blocks). An assistant
	// message sent back to Anthropic carries them first, as its extended
	// thinking with tool use requires.
	ThinkingBlocks []ThinkingBlock `json:"thinking_blocks,omitempty"`
	// Audio is an audio answer (response) or a reference to one (request).
	Audio *Audio `json:"audio,omitempty"`
	// CacheControl is a prompt-caching marker such as
	// {"type":"ephemeral"}, sent to providers that support it (Anthropic).
	CacheControl json.RawMessage `json:"cache_control,omitempty"`
	// Extra holds the members this type does not model (annotations,
	// function_call, provider extras), written back unchanged.
	Extra map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

// Member indexes of Message for jsonx.Seen.
const (
	mRole uint = iota
	mContent
	mName
	mToolCalls
	mToolCallID
	mRefusal
	mReasoning
	mThinking
	mAudio
	mContentArray // content came as an array
)

var messageMembers = names("role", "content", "name", "tool_calls", "tool_call_id", "refusal",
	"reasoning_content", "thinking_blocks", "audio", "cache_control")

// ContentPart is one part of a multi-part message: "text", "image_url",
// "input_audio" or "file", or any other type with its members in Extra.
type ContentPart struct {
	Type         string                     `json:"type"`
	Text         string                     `json:"text,omitempty"`
	ImageURL     *ImageURL                  `json:"image_url,omitempty"`
	InputAudio   *InputAudio                `json:"input_audio,omitempty"`
	File         *File                      `json:"file,omitempty"`
	CacheControl json.RawMessage            `json:"cache_control,omitempty"`
	Extra        map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

const (
	pType uint = iota
	pText
	pImage
	pAudio
	pFile
)

var partMembers = names("type", "text", "image_url", "input_audio", "file", "cache_control")

// ImageURL is an image reference in a [ContentPart]: an http(s) URL or a
// data URL.
type ImageURL struct {
	URL    string                     `json:"url"`
	Detail string                     `json:"detail,omitempty"`
	Extra  map[string]json.RawMessage `json:"-"`
	seen   jsonx.Seen
}

var imageMembers = names("url", "detail")

// InputAudio is base64 audio in a [ContentPart] ("wav", "mp3").
type InputAudio struct {
	Data   string                     `json:"data"`
	Format string                     `json:"format"`
	Extra  map[string]json.RawMessage `json:"-"`
	seen   jsonx.Seen
}

var inputAudioMembers = names("data", "format")

// File is a file in a [ContentPart]: inline data (a data URL) or an
// uploaded file's id.
type File struct {
	FileData string                     `json:"file_data,omitempty"`
	FileID   string                     `json:"file_id,omitempty"`
	Filename string                     `json:"filename,omitempty"`
	Extra    map[string]json.RawMessage `json:"-"`
	seen     jsonx.Seen
}

var fileMembers = names("file_data", "file_id", "filename")

// ThinkingBlock is one of Anthropic's reasoning blocks: Type "thinking"
// with Thinking and Signature, or "redacted_thinking" with Data.
type ThinkingBlock struct {
	Type      string                     `json:"type"`
	Thinking  string                     `json:"thinking,omitempty"`
	Signature string                     `json:"signature,omitempty"`
	Data      string                     `json:"data,omitempty"`
	Extra     map[string]json.RawMessage `json:"-"`
	seen      jsonx.Seen
}

var thinkingMembers = names("type", "thinking", "signature", "data")

// Audio is an audio answer: its id (which a later request may refer to),
// base64 data, expiry and transcript. In streams each piece carries part of
// Data and Transcript.
type Audio struct {
	ID         string                     `json:"id,omitempty"`
	Data       string                     `json:"data,omitempty"`
	ExpiresAt  int64                      `json:"expires_at,omitempty"`
	Transcript string                     `json:"transcript,omitempty"`
	Extra      map[string]json.RawMessage `json:"-"`
	seen       jsonx.Seen
}

var audioMembers = names("id", "data", "expires_at", "transcript")

// System returns a system message.
func System(text string) Message { return Message{Role: RoleSystem, Content: text} }

// User returns a user message.
func User(text string) Message { return Message{Role: RoleUser, Content: text} }

// Assistant returns an assistant message.
func Assistant(text string) Message { return Message{Role: RoleAssistant, Content: text} }

// ToolResult returns a tool message answering the tool call with the given id.
func ToolResult(toolCallID, content string) Message {
	return Message{Role: RoleTool, ToolCallID: toolCallID, Content: content}
}

// Text returns the message's text: Content, or the text parts joined.
func (m Message) Text() string {
	if len(m.Parts) == 0 {
		return m.Content
	}
	var b strings.Builder
	for _, p := range m.Parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// MarshalJSON encodes the message in OpenAI's shape: content is a string,
// an array of parts, or null for an assistant message that only calls
// tools.
func (m Message) MarshalJSON() ([]byte, error) {
	return jsonx.Encode(128+len(m.Content), m.encode)
}

// AppendJSON appends the message's JSON ([Message.MarshalJSON]) to b, for
// encoders that reuse a buffer.
func (m *Message) AppendJSON(b []byte) ([]byte, error) {
	e := jsonx.Enc{B: b} // not jsonx.Append: a func value would move e to the heap
	m.encode(&e)
	return e.B, e.Err
}

// UnmarshalJSON decodes OpenAI's message object; content may be a string,
// an array of parts or null.
func (m *Message) UnmarshalJSON(b []byte) error {
	*m = Message{}
	return wrapJSON("message", jsonx.Decode(b, m.decode))
}

func (m *Message) encode(e *jsonx.Enc) {
	s := m.seen
	e.Open()
	e.WStr(s, mRole, "role", string(m.Role), true)
	switch {
	case len(m.Parts) > 0 || (s.Present.Has(mContentArray) && m.Content == ""):
		e.Name("content")
		e.OpenArray()
		for i := range m.Parts {
			m.Parts[i].encode(e)
		}
		e.CloseArray()
	case m.Content != "":
		e.Name("content")
		e.Str(m.Content)
	case s.Decoded:
		if s.Present.Has(mContent) {
			e.Name("content")
			if s.WasNull(mContent) {
				e.Null()
			} else {
				e.Str("")
			}
		}
	case len(m.ToolCalls) > 0 || m.Audio != nil:
		e.Name("content")
		e.Null()
	default:
		e.Name("content")
		e.Str("")
	}
	e.WStr(s, mName, "name", m.Name, false)
	if jsonx.Opens(s, mToolCalls, len(m.ToolCalls), false) {
		e.Name("tool_calls")
		if len(m.ToolCalls) == 0 && s.WasNull(mToolCalls) {
			e.Null()
		} else {
			e.OpenArray()
			for i := range m.ToolCalls {
				m.ToolCalls[i].encode(e)
			}
			e.CloseArray()
		}
	}
	e.WStr(s, mToolCallID, "tool_call_id", m.ToolCallID, false)
	e.WStr(s, mRefusal, "refusal", m.Refusal, false)
	e.WStr(s, mReasoning, "reasoning_content", m.ReasoningContent, false)
	encThinking(e, s, mThinking, m.ThinkingBlocks)
	encAudio(e, s, mAudio, m.Audio)
	e.WRaw("cache_control", m.CacheControl)
	e.Extra(m.Extra, messageMembers)
	e.Close()
}

func (m *Message) decode(r *jsonx.R) {
	if !r.Object() {
		return
	}
	s := &m.seen
	s.Decoded = true
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "role":
			m.Role = Role(r.Str(s, mRole))
		case "content":
			switch r.Kind() {
			case '[':
				s.Mark(mContent, false)
				s.Mark(mContentArray, false)
				m.Parts = decodeParts(r)
			case 'n':
				r.Null()
				s.Mark(mContent, true)
			case '"':
				m.Content = r.Str(s, mContent)
			default:
				r.Errorf("content: want a string, an array of parts or null")
			}
		case "name":
			m.Name = r.Str(s, mName)
		case "tool_calls":
			m.ToolCalls = decodeToolCalls(r, s, mToolCalls)
		case "tool_call_id":
			m.ToolCallID = r.Str(s, mToolCallID)
		case "refusal":
			m.Refusal = r.Str(s, mRefusal)
		case "reasoning_content":
			m.ReasoningContent = r.Str(s, mReasoning)
		case "thinking_blocks":
			m.ThinkingBlocks = decodeThinking(r, s, mThinking)
		case "audio":
			m.Audio = decodeAudio(r, s, mAudio)
		case "cache_control":
			m.CacheControl = r.Raw()
		default:
			r.Extra(&m.Extra, n.String())
		}
	}
	r.End()
}

func decodeParts(r *jsonx.R) []ContentPart {
	if !r.Array() {
		return nil
	}
	out := []ContentPart{}
	for r.More() {
		var p ContentPart
		p.decode(r)
		out = append(out, p)
	}
	r.End()
	return out
}

// MarshalJSON encodes the part in OpenAI's shape.
func (p ContentPart) MarshalJSON() ([]byte, error) { return jsonx.Encode(64, p.encode) }

// UnmarshalJSON decodes a content part of any type.
func (p *ContentPart) UnmarshalJSON(b []byte) error {
	*p = ContentPart{}
	return wrapJSON("content part", jsonx.Decode(b, p.decode))
}

func (p *ContentPart) encode(e *jsonx.Enc) {
	s := p.seen
	e.Open()
	e.WStr(s, pType, "type", p.Type, true)
	e.WStr(s, pText, "text", p.Text, p.Type == "text")
	if p.ImageURL != nil {
		e.Name("image_url")
		p.ImageURL.encode(e)
	} else if s.WasNull(pImage) {
		e.Name("image_url")
		e.Null()
	}
	if p.InputAudio != nil {
		e.Name("input_audio")
		p.InputAudio.encode(e)
	} else if s.WasNull(pAudio) {
		e.Name("input_audio")
		e.Null()
	}
	if p.File != nil {
		e.Name("file")
		p.File.encode(e)
	} else if s.WasNull(pFile) {
		e.Name("file")
		e.Null()
	}
	e.WRaw("cache_control", p.CacheControl)
	e.Extra(p.Extra, partMembers)
	e.Close()
}

func (p *ContentPart) decode(r *jsonx.R) {
	if !r.Object() {
		r.Errorf("content part: want an object")
		return
	}
	s := &p.seen
	s.Decoded = true
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "type":
			p.Type = r.Str(s, pType)
		case "text":
			p.Text = r.Str(s, pText)
		case "image_url":
			if r.Null() {
				s.Mark(pImage, true)
				continue
			}
			p.ImageURL = new(ImageURL)
			p.ImageURL.decode(r)
		case "input_audio":
			if r.Null() {
				s.Mark(pAudio, true)
				continue
			}
			p.InputAudio = new(InputAudio)
			p.InputAudio.decode(r)
		case "file":
			if r.Null() {
				s.Mark(pFile, true)
				continue
			}
			p.File = new(File)
			p.File.decode(r)
		case "cache_control":
			p.CacheControl = r.Raw()
		default:
			r.Extra(&p.Extra, n.String())
		}
	}
	r.End()
}

func (u *ImageURL) encode(e *jsonx.Enc) {
	e.Open()
	e.WStr(u.seen, 0, "url", u.URL, true)
	e.WStr(u.seen, 1, "detail", u.Detail, false)
	e.Extra(u.Extra, imageMembers)
	e.Close()
}

func (u *ImageURL) decode(r *jsonx.R) {
	// An image_url given as a bare string is accepted (some clients send
	// it); it is written back as an object.
	if r.Kind() == '"' {
		u.URL = r.Str(&u.seen, 0)
		return
	}
	decodeFields(r, &u.seen, &u.Extra, func(name string) bool {
		switch name {
		case "url":
			u.URL = r.Str(&u.seen, 0)
		case "detail":
			u.Detail = r.Str(&u.seen, 1)
		default:
			return false
		}
		return true
	})
}

func (a *InputAudio) encode(e *jsonx.Enc) {
	e.Open()
	e.WStr(a.seen, 0, "data", a.Data, true)
	e.WStr(a.seen, 1, "format", a.Format, true)
	e.Extra(a.Extra, inputAudioMembers)
	e.Close()
}

func (a *InputAudio) decode(r *jsonx.R) {
	decodeFields(r, &a.seen, &a.Extra, func(name string) bool {
		switch name {
		case "data":
			a.Data = r.Str(&a.seen, 0)
		case "format":
			a.Format = r.Str(&a.seen, 1)
		default:
			return false
		}
		return true
	})
}

func (f *File) encode(e *jsonx.Enc) {
	e.Open()
	e.WStr(f.seen, 0, "file_data", f.FileData, false)
	e.WStr(f.seen, 1, "file_id", f.FileID, false)
	e.WStr(f.seen, 2, "filename", f.Filename, false)
	e.Extra(f.Extra, fileMembers)
	e.Close()
}

func (f *File) decode(r *jsonx.R) {
	decodeFields(r, &f.seen, &f.Extra, func(name string) bool {
		switch name {
		case "file_data":
			f.FileData = r.Str(&f.seen, 0)
		case "file_id":
			f.FileID = r.Str(&f.seen, 1)
		case "filename":
			f.Filename = r.Str(&f.seen, 2)
		default:
			return false
		}
		return true
	})
}

// MarshalJSON encodes the block in Anthropic's shape.
func (t ThinkingBlock) MarshalJSON() ([]byte, error) { return jsonx.Encode(64, t.encode) }

// UnmarshalJSON decodes a thinking or redacted_thinking block.
func (t *ThinkingBlock) UnmarshalJSON(b []byte) error {
	*t = ThinkingBlock{}
	return wrapJSON("thinking block", jsonx.Decode(b, t.decode))
}

func (t *ThinkingBlock) encode(e *jsonx.Enc) {
	e.Open()
	e.WStr(t.seen, 0, "type", t.Type, true)
	e.WStr(t.seen, 1, "thinking", t.Thinking, false)
	e.WStr(t.seen, 2, "signature", t.Signature, false)
	e.WStr(t.seen, 3, "data", t.Data, false)
	e.Extra(t.Extra, thinkingMembers)
	e.Close()
}

func (t *ThinkingBlock) decode(r *jsonx.R) {
	decodeFields(r, &t.seen, &t.Extra, func(name string) bool {
		switch name {
		case "type":
			t.Type = r.Str(&t.seen, 0)
		case "thinking":
			t.Thinking = r.Str(&t.seen, 1)
		case "signature":
			t.Signature = r.Str(&t.seen, 2)
		case "data":
			t.Data = r.Str(&t.seen, 3)
		default:
			return false
		}
		return true
	})
}

func encThinking(e *jsonx.Enc, s jsonx.Seen, i uint, bs []ThinkingBlock) {
	if !jsonx.Opens(s, i, len(bs), false) {
		return
	}
	e.Name("thinking_blocks")
	if len(bs) == 0 && s.WasNull(i) {
		e.Null()
		return
	}
	e.OpenArray()
	for j := range bs {
		bs[j].encode(e)
	}
	e.CloseArray()
}

func decodeThinking(r *jsonx.R, s *jsonx.Seen, i uint) []ThinkingBlock {
	if !r.Array() {
		s.Mark(i, true)
		return nil
	}
	s.Mark(i, false)
	out := []ThinkingBlock{}
	for r.More() {
		var t ThinkingBlock
		t.decode(r)
		out = append(out, t)
	}
	r.End()
	return out
}

// MarshalJSON encodes the audio object in OpenAI's shape.
func (a Audio) MarshalJSON() ([]byte, error) { return jsonx.Encode(64, a.encode) }

// UnmarshalJSON decodes OpenAI's audio object.
func (a *Audio) UnmarshalJSON(b []byte) error {
	*a = Audio{}
	return wrapJSON("audio", jsonx.Decode(b, a.decode))
}

func (a *Audio) encode(e *jsonx.Enc) {
	e.Open()
	e.WStr(a.seen, 0, "id", a.ID, false)
	e.WStr(a.seen, 1, "data", a.Data, false)
	e.WInt(a.seen, 2, "expires_at", a.ExpiresAt, false)
	e.WStr(a.seen, 3, "transcript", a.Transcript, false)
	e.Extra(a.Extra, audioMembers)
	e.Close()
}

func (a *Audio) decode(r *jsonx.R) {
	decodeFields(r, &a.seen, &a.Extra, func(name string) bool {
		switch name {
		case "id":
			a.ID = r.Str(&a.seen, 0)
		case "data":
			a.Data = r.Str(&a.seen, 1)
		case "expires_at":
			a.ExpiresAt = r.Int(&a.seen, 2)
		case "transcript":
			a.Transcript = r.Str(&a.seen, 3)
		default:
			return false
		}
		return true
	})
}

func encAudio(e *jsonx.Enc, s jsonx.Seen, i uint, a *Audio) {
	switch {
	case a != nil:
		e.Name("audio")
		a.encode(e)
	case s.WasNull(i):
		e.Name("audio")
		e.Null()
	}
}

func decodeAudio(r *jsonx.R, s *jsonx.Seen, i uint) *Audio {
	if r.Null() {
		s.Mark(i, true)
		return nil
	}
	s.Mark(i, false)
	a := new(Audio)
	a.decode(r)
	return a
}

// decodeFields reads an object member by member: field handles the names
// it models and returns false for the others, which go to extra. The
// decoders of the types read on every call (requests, responses, chunks,
// choices, deltas, messages, tool calls, usage) write this loop out
// instead: a name handed to a closure escapes, an allocation per member
// (87 more per 50-chunk stream in BenchmarkChunkReader).
func decodeFields(r *jsonx.R, s *jsonx.Seen, extra *map[string]json.RawMessage, field func(name string) bool) {
	if !r.Object() {
		return
	}
	s.Decoded = true
	for r.More() {
		n := r.Name().String()
		if !field(n) {
			r.Extra(extra, n)
		}
	}
	r.End()
}
