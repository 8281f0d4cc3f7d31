package config

import (
	"errors"
	"math"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// kind is the type of a YAML value.
type kind uint8

const (
	nullKind kind = iota
	stringKind
	intKind
	floatKind
	boolKind
	mapKind
	seqKind
)

// String names the kind for messages: "expected a number, got a list".
func (k kind) String() string {
	return [...]string{"nothing", "a string", "an integer", "a number", "a boolean", "a mapping", "a list"}[k]
}

// node is a YAML value and where it is: the parser's AST reduced to what the
// decoder needs, with anchors, aliases, merge keys (<<) and !!str resolved.
// Aliases share the anchor's node, so the tree is a DAG; size bounds it.
type node struct {
	kind      kind
	line, col int
	text      string // a scalar's text: the string, or the number or boolean as written
	i         int64
	f         float64
	b         bool
	entries   []entry // mapKind, in file order
	items     []*node // seqKind
	size      int     // nodes below and including this one, aliases expanded
}

// entry is one key of a mapping.
type entry struct {
	key       string
	line, col int // of the key
	val       *node
}

// get returns the value of key in mapping n, or nil.
func (n *node) get(key string) *node {
	for _, e := range n.entries {
		if e.key == key {
			return e.val
		}
	}
	return nil
}

// Bounds on a document, so a crafted file cannot exhaust memory or stack:
// maxNodes counts values with aliases expanded ("billion laughs"), maxDepth
// the nesting.
const (
	maxNodes = 1_000_000
	maxDepth = 100
)

// parseYAML parses data into a node tree. A file that is empty or holds only
// comments gives a null node. Problems are *Error with ErrSyntax.
func parseYAML(file string, data []byte) (root *node, err error) {
	defer func() {
		// The parser is a dependency fed whatever the file holds; should some
		// input make it panic, that file is reported as invalid instead of
		// taking the gateway down at start-up. FuzzLoad looks for such input.
		if r := recover(); r != nil {
			root, err = nil, &Error{File: file, Msg: "invalid yaml: the parser failed on this input", Err: ErrSyntax}
		}
	}()
	f, perr := parser.ParseBytes(data, 0)
	if perr != nil {
		return nil, syntaxError(file, perr)
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			line, col := pos(doc.Body)
			return nil, &Error{File: file, Line: line, Column: col, Msg: "a second YAML document: a config is one document", Err: ErrSyntax}
		}
		body = doc.Body
	}
	if body == nil {
		return &node{kind: nullKind, line: 1, col: 1, size: 1}, nil
	}
	c := converter{file: file, anchors: map[string]*node{}}
	return c.convert(body, 0)
}

// syntaxError turns a parser error into an *Error. It keeps the parser's
// message and position but not its rendering, which quotes source lines:
// those may hold secrets.
func syntaxError(file string, err error) *Error {
	e := &Error{File: file, Msg: "invalid yaml", Err: ErrSyntax}
	var ye interface {
		GetMessage() string
		GetToken() *token.Token
	}
	if errors.As(err, &ye) {
		e.Msg = "invalid yaml: " + ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}

// pos returns where n starts, or 0, 0.
func pos(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

type converter struct {
	file    string
	anchors map[string]*node
}

func (c *converter) fail(n ast.Node, msg string) *Error {
	line, col := pos(n)
	return &Error{File: c.file, Line: line, Column: col, Msg: msg, Err: ErrSyntax}
}

func (c *converter) convert(n ast.Node, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, c.fail(n, "invalid yaml: nested too deeply")
	}
	switch n := n.(type) {
	case nil:
		return &node{kind: nullKind, size: 1}, nil
	case *ast.NullNode:
		return c.scalar(n, nullKind), nil
	case *ast.StringNode:
		s := c.scalar(n, stringKind)
		s.text = n.Value
		return s, nil
	case *ast.LiteralNode:
		s := c.scalar(n, stringKind)
		s.text = ""
		if n.Value != nil {
			s.text = n.Value.Value
		}
		return s, nil
	case *ast.IntegerNode:
		s := c.scalar(n, intKind)
		switch v := n.Value.(type) {
		case int64:
			s.i, s.f = v, float64(v)
		case uint64:
			s.f = float64(v)
			if v <= math.MaxInt64 {
				s.i = int64(v)
			} else {
				s.kind = floatKind
			}
		}
		return s, nil
	case *ast.FloatNode:
		s := c.scalar(n, floatKind)
		s.f = n.Value
		return s, nil
	case *ast.InfinityNode:
		s := c.scalar(n, floatKind)
		s.f = n.Value
		return s, nil
	case *ast.NanNode:
		s := c.scalar(n, floatKind)
		s.f = math.NaN()
		return s, nil
	case *ast.BoolNode:
		s := c.scalar(n, boolKind)
		s.b = n.Value
		return s, nil
	case *ast.MappingNode:
		return c.mapping(n, n.Values, depth)
	case *ast.MappingValueNode:
		return c.mapping(n, []*ast.MappingValueNode{n}, depth)
	case *ast.SequenceNode:
		s := c.scalar(n, seqKind)
		for _, v := range n.Values {
			item, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			if item.line == 0 {
				item = placed(item, s.line, s.col)
			}
			s.items = append(s.items, item)
			s.size += item.size
		}
		if s.size > maxNodes {
			return nil, c.fail(n, "invalid yaml: too many values once aliases are expanded")
		}
		return s, nil
	case *ast.AnchorNode:
		v, err := c.convert(n.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if v.line == 0 {
			line, col := pos(n)
			v = placed(v, line, col)
		}
		if n.Name != nil {
			c.anchors[n.Name.GetToken().Value] = v
		}
		return v, nil
	case *ast.AliasNode:
		name := ""
		if n.Value != nil {
			name = n.Value.GetToken().Value
		}
		v, ok := c.anchors[name]
		if !ok {
			return nil, c.fail(n, "invalid yaml: alias *"+name+" refers to no anchor before it")
		}
		return v, nil
	case *ast.TagNode:
		v, err := c.convert(n.Value, depth+1)
		if err != nil {
			return nil, err
		}
		switch n.Start.Value {
		case "!!str", "tag:yaml.org,2002:str":
			if v.kind == mapKind || v.kind == seqKind {
				return nil, c.fail(n, "invalid yaml: !!str on "+v.kind.String())
			}
			s := *v // the node may be an anchor's, shared: change a copy
			s.kind = stringKind
			return &s, nil
		case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq", "!!binary", "!!timestamp":
			return v, nil
		}
		return nil, c.fail(n, "invalid yaml: unsupported tag "+n.Start.Value)
	}
	return nil, c.fail(n, "invalid yaml: unsupported construct")
}

// scalar starts a node for n, with its position and source text.
func (c *converter) scalar(n ast.Node, k kind) *node {
	s := &node{kind: k, size: 1}
	s.line, s.col = pos(n)
	if k != mapKind && k != seqKind && k != nullKind {
		if tk := n.GetToken(); tk != nil {
			s.text = tk.Value
		}
	}
	return s
}

// placed returns n with a position, copying it (n may be shared).
func placed(n *node, line, col int) *node {
	p := *n
	p.line, p.col = line, col
	return &p
}

// mapping converts the key-value pairs of one mapping, applying merge keys:
// keys written in the mapping win over merged ones, and among merged
// mappings the first wins, as YAML's merge key type says.
func (c *converter) mapping(n ast.Node, values []*ast.MappingValueNode, depth int) (*node, error) {
	m := &node{kind: mapKind, size: 1}
	m.line, m.col = pos(n)
	var merged []*node
	seen := map[string]bool{}
	for _, mv := range values {
		if mv == nil {
			continue
		}
		if mv.Key != nil && mv.Key.IsMergeKey() {
			v, err := c.convert(mv.Value, depth+1)
			if err != nil {
				return nil, err
			}
			switch v.kind {
			case mapKind:
				merged = append(merged, v)
			case seqKind:
				for _, it := range v.items {
					if it.kind != mapKind {
						return nil, c.fail(mv, "invalid yaml: a merge key (<<) takes a mapping or a list of mappings")
					}
					merged = append(merged, it)
				}
			default:
				return nil, c.fail(mv, "invalid yaml: a merge key (<<) takes a mapping or a list of mappings")
			}
			continue
		}
		k, err := c.convert(mv.Key, depth+1)
		if err != nil {
			return nil, err
		}
		if k.kind == mapKind || k.kind == seqKind {
			return nil, c.fail(mv.Key, "invalid yaml: a key must be a string, not "+k.kind.String())
		}
		kl, kc := pos(mv.Key)
		if mk, ok := mv.Key.(*ast.MappingKeyNode); ok {
			kl, kc = pos(mk.Value)
		}
		v, err := c.convert(mv.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if v.line == 0 {
			v = placed(v, kl, kc)
		}
		if seen[k.text] {
			return nil, c.fail(mv.Key, "invalid yaml: key "+quote(k.text)+" appears twice in one mapping")
		}
		seen[k.text] = true
		m.entries = append(m.entries, entry{key: k.text, line: kl, col: kc, val: v})
		m.size += v.size
	}
	if len(m.entries) > 0 { // where the first key is, rather than its ':'
		m.line, m.col = m.entries[0].line, m.entries[0].col
	}
	for _, src := range merged {
		for _, e := range src.entries {
			if !seen[e.key] {
				seen[e.key] = true
				m.entries = append(m.entries, e)
				m.size += e.val.size
			}
		}
	}
	if m.size > maxNodes {
		return nil, c.fail(n, "invalid yaml: too many values once aliases are expanded")
	}
	return m, nil
}
