package sjson

// lapor_sjson.go: added to FerretDB's sjson package by deploy/devdb/build.sh.
//
// FerretDB stores a document as JSON with its type schema under "$s" and decodes
// it level by level: the whole object into a map of raw messages, then every
// value again with a decoder of its own (a nested object is scanned once per
// level it sits below). Reading a complaint of lapor's was a fifth of the
// database's CPU in its benchmark. laporUnmarshal reads the schema and the
// values in one pass over the bytes, guided by the schema.
//
// It accepts only what FerretDB's Marshal writes and builds the same document:
// for anything else (keys out of the schema's order, a count that does not
// match, any malformed JSON) it answers false and Unmarshal decodes as before,
// errors included.

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/FerretDB/FerretDB/internal/types"
)

// laporElem is one value's schema: its type and what the type needs.
type laporElem struct {
	t      elemType
	doc    *laporSchema // object
	items  []laporElem  // array
	opts   string       // regex
	hasOpt bool
	sub    types.BinarySubtype // binData
	hasSub bool
}

// laporSchema is an object's schema: its properties in the order of "$k".
type laporSchema struct {
	keys  []string
	elems []laporElem
}

// laporSlowOnly turns the one-pass decoder off (for lapor_sjson_test.go).
var laporSlowOnly bool

type laporParser struct {
	b []byte
	i int
}

func (p *laporParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// eat skips white space and consumes c if it comes next.
func (p *laporParser) eat(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string. Without escapes (nearly always) its bytes alias the input;
// a string with escapes is handed to the JSON decoder the slow way uses, so that
// both agree on every escape and on invalid UTF-8.
func (p *laporParser) str() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	plain := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if plain {
				return p.b[start : p.i-1], true
			}
			var s string
			if json.NewDecoder(bytes.NewReader(p.b[start-1:p.i])).Decode(&s) != nil {
				return nil, false // (json.Unmarshal keeps invalid UTF-8, the decoder does not)
			}
			return []byte(s), true
		case c == '\\':
			plain = false
			p.i++ // the escaped character cannot end the string
		case c < 0x20:
			return nil, false
		case c >= 0x80 && plain:
			if r, n := utf8.DecodeRune(p.b[p.i:]); r == utf8.RuneError && n <= 1 {
				plain = false // the decoder replaces it
			} else {
				p.i += n - 1
			}
		}
		p.i++
	}
	return nil, false
}

func (p *laporParser) digits() int {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}

// number returns the text of a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *laporParser) number() ([]byte, bool) {
	p.ws()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	lead := p.i
	if n := p.digits(); n == 0 || (n > 1 && p.b[lead] == '0') {
		return nil, false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return nil, false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return nil, false
		}
	}
	return p.b[start:p.i], true
}

// integer reads a JSON integer that fits in bits.
func (p *laporParser) integer(bits int) (int64, bool) {
	n, ok := p.number()
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(string(n), 10, bits)
	return v, err == nil
}

// literal consumes word (null, true, false) if it comes next.
func (p *laporParser) literal(word string) bool {
	p.ws()
	if len(p.b)-p.i >= len(word) && string(p.b[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return true
	}
	return false
}

// schema reads {"p": {key: elem, ...}, "$k": [key, ...]} (both optional).
func (p *laporParser) schema() (*laporSchema, bool) {
	if !p.eat('{') {
		return nil, false
	}
	var names []string
	var elems []laporElem
	var keys []string
	if p.eat('}') {
		return &laporSchema{}, true
	}
	for {
		k, ok := p.str()
		if !ok || !p.eat(':') {
			return nil, false
		}
		switch string(k) {
		case "p":
			if !p.eat('{') {
				return nil, false
			}
			if !p.eat('}') {
				for {
					name, ok := p.str()
					if !ok || !p.eat(':') {
						return nil, false
					}
					e, ok := p.elem()
					if !ok {
						return nil, false
					}
					names = append(names, string(name))
					elems = append(elems, e)
					if p.eat('}') {
						break
					}
					if !p.eat(',') {
						return nil, false
					}
				}
			}
		case "$k":
			if !p.eat('[') {
				return nil, false
			}
			if !p.eat(']') {
				for {
					name, ok := p.str()
					if !ok {
						return nil, false
					}
					keys = append(keys, string(name))
					if p.eat(']') {
						break
					}
					if !p.eat(',') {
						return nil, false
					}
				}
			}
		default:
			return nil, false
		}
		if p.eat('}') {
			break
		}
		if !p.eat(',') {
			return nil, false
		}
	}
	// Properties in the order of $k, each once.
	if len(names) != len(keys) {
		return nil, false
	}
	s := &laporSchema{keys: keys, elems: make([]laporElem, len(keys))}
	for i, k := range keys {
		j := i
		if names[j] != k {
			for j = 0; j < len(names) && names[j] != k; j++ {
			}
			if j == len(names) {
				return nil, false
			}
		}
		s.elems[i] = elems[j]
	}
	for i := 1; i < len(keys); i++ {
		for j := 0; j < i; j++ {
			if keys[j] == keys[i] {
				return nil, false
			}
		}
	}
	return s, true
}

// elem reads {"t": type, "$s": schema, "o": options, "i": [elem...], "s": subtype}.
func (p *laporParser) elem() (laporElem, bool) {
	var e laporElem
	if !p.eat('{') {
		return e, false
	}
	for {
		k, ok := p.str()
		if !ok || !p.eat(':') {
			return e, false
		}
		switch string(k) {
		case "t":
			t, ok := p.str()
			if !ok {
				return e, false
			}
			e.t = elemType(t)
		case "$s":
			if e.doc, ok = p.schema(); !ok {
				return e, false
			}
		case "o":
			o, ok := p.str()
			if !ok {
				return e, false
			}
			e.opts, e.hasOpt = string(o), true
		case "i":
			if !p.eat('[') {
				return e, false
			}
			e.items = []laporElem{}
			if !p.eat(']') {
				for {
					item, ok := p.elem()
					if !ok {
						return e, false
					}
					e.items = append(e.items, item)
					if p.eat(']') {
						break
					}
					if !p.eat(',') {
						return e, false
					}
				}
			}
		case "s":
			n, ok := p.number()
			if !ok {
				return e, false
			}
			v, err := strconv.ParseUint(string(n), 10, 8)
			if err != nil {
				return e, false
			}
			e.sub, e.hasSub = types.BinarySubtype(v), true
		default:
			return e, false
		}
		if p.eat('}') {
			return e, true
		}
		if !p.eat(',') {
			return e, false
		}
	}
}

// fields reads the rest of an object whose '{' (and, at the top, "$s") was read:
// its values in the schema's order.
func (p *laporParser) fields(s *laporSchema, first bool) (*types.Document, bool) {
	d := types.MakeDocument(len(s.keys))
	if first && p.eat('}') {
		return d, len(s.keys) == 0
	}
	for i := 0; ; i++ {
		if !first && !p.eat(',') {
			if p.eat('}') && i == len(s.keys) {
				return d, true
			}
			return nil, false
		}
		first = false
		if i == len(s.keys) {
			return nil, false
		}
		k, ok := p.str()
		if !ok || string(k) != s.keys[i] || !p.eat(':') {
			return nil, false
		}
		v, ok := p.value(&s.elems[i])
		if !ok {
			return nil, false
		}
		d.Set(s.keys[i], v)
	}
}

// value reads one value of the schema e.
func (p *laporParser) value(e *laporElem) (any, bool) {
	if p.literal("null") {
		return types.Null, true
	}
	switch e.t {
	case elemTypeObject:
		if e.doc == nil || !p.eat('{') {
			return nil, false
		}
		return p.fields(e.doc, true)
	case elemTypeArray:
		if e.items == nil || !p.eat('[') {
			return nil, false
		}
		a := types.MakeArray(len(e.items))
		if len(e.items) == 0 {
			return a, p.eat(']')
		}
		for i := range e.items {
			if i > 0 && !p.eat(',') {
				return nil, false
			}
			v, ok := p.value(&e.items[i])
			if !ok {
				return nil, false
			}
			a.Append(v)
		}
		return a, p.eat(']')
	case elemTypeString:
		s, ok := p.str()
		return string(s), ok
	case elemTypeObjectID:
		s, ok := p.str()
		var id types.ObjectID
		if !ok || len(s) != 2*len(id) {
			return nil, false
		}
		if _, err := hex.Decode(id[:], s); err != nil {
			return nil, false
		}
		return id, true
	case elemTypeBinData:
		s, ok := p.str()
		if !ok || !e.hasSub {
			return nil, false
		}
		b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Decode(b, s)
		if err != nil {
			return nil, false
		}
		return types.Binary{B: b[:n], Subtype: e.sub}, true
	case elemTypeRegex:
		s, ok := p.str()
		if !ok || !e.hasOpt {
			return nil, false
		}
		return types.Regex{Pattern: string(s), Options: e.opts}, true
	case elemTypeBool:
		if p.literal("true") {
			return true, true
		}
		if p.literal("false") {
			return false, true
		}
		return nil, false
	case elemTypeInt:
		v, ok := p.integer(32)
		return int32(v), ok
	case elemTypeLong:
		return p.integer(64)
	case elemTypeDate:
		v, ok := p.integer(64)
		return time.UnixMilli(v), ok
	case elemTypeTimestamp:
		n, ok := p.number()
		if !ok {
			return nil, false
		}
		v, err := strconv.ParseUint(string(n), 10, 64)
		return types.Timestamp(v), err == nil
	case elemTypeDouble:
		n, ok := p.number()
		if !ok {
			return nil, false
		}
		v, err := strconv.ParseFloat(string(n), 64)
		return v, err == nil
	}
	return nil, false
}

// Documents of one collection mostly share a few schemas (a complaint's changes
// with its history), and reading a schema was half of the decoding: schemas read
// are kept by their text, up to laporSchemasMax (then the cache starts again).
const laporSchemasMax = 1024

var (
	laporSchemasLock sync.RWMutex
	laporSchemas     = map[string]*laporSchema{}
)

// object skips an object and returns its text.
func (p *laporParser) object() ([]byte, bool) {
	if !p.eat('{') {
		return nil, false
	}
	start, depth := p.i-1, 1
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				p.i++
				return p.b[start:p.i], true
			}
		case '"':
			for p.i++; p.i < len(p.b) && p.b[p.i] != '"'; p.i++ {
				if p.b[p.i] == '\\' {
					p.i++
				}
			}
		}
		p.i++
	}
	return nil, false
}

// cachedSchema reads a document's schema, from the cache when it was read before.
func (p *laporParser) cachedSchema() (*laporSchema, bool) {
	text, ok := p.object()
	if !ok {
		return nil, false
	}
	laporSchemasLock.RLock()
	s := laporSchemas[string(text)]
	laporSchemasLock.RUnlock()
	if s != nil {
		return s, true
	}
	sp := laporParser{b: text}
	if s, ok = sp.schema(); !ok || sp.i != len(text) {
		return nil, false
	}
	laporSchemasLock.Lock()
	if len(laporSchemas) >= laporSchemasMax {
		clear(laporSchemas)
	}
	laporSchemas[string(text)] = s
	laporSchemasLock.Unlock()
	return s, true
}

// laporUnmarshal decodes a document as FerretDB's Marshal wrote it; false when it
// cannot vouch for the result (Unmarshal then decodes the slow way).
func laporUnmarshal(data []byte) (*types.Document, bool) {
	if laporSlowOnly {
		return nil, false
	}
	p := laporParser{b: data}
	if !p.eat('{') {
		return nil, false
	}
	k, ok := p.str()
	if !ok || string(k) != "$s" || !p.eat(':') {
		return nil, false
	}
	s, ok := p.cachedSchema()
	if !ok {
		return nil, false
	}
	d, ok := p.fields(s, false)
	if !ok {
		return nil, false
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, false
	}
	return d, true
}

// laporMarshal writes what FerretDB's Marshal writes, byte for byte (an _id is
// looked up by its text), in one buffer instead of a buffer per value: the
// strings that need escaping and the doubles are written by the same encoder;
// false for a type it does not know (Marshal then panics as before).
func laporMarshal(d *types.Document) ([]byte, bool) {
	if laporSlowOnly {
		return nil, false
	}
	buf := make([]byte, 0, 4096)
	buf = append(buf, `{"$s":`...)
	buf, ok := laporAppendSchema(buf, d)
	if !ok {
		return nil, false
	}
	keys, values := d.Keys(), d.Values()
	for i, key := range keys {
		buf = append(buf, ',', '"')
		buf = append(buf, key...) // as Marshal does: top-level keys are not escaped
		buf = append(buf, '"', ':')
		if buf, ok = laporAppendValue(buf, values[i]); !ok {
			return nil, false
		}
	}
	return append(buf, '}'), true
}

// laporPlain: a string JSON writes as it is (no escape, no HTML escape).
func laporPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

func laporAppendString(buf []byte, s string) ([]byte, bool) {
	if laporPlain(s) {
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"'), true
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, false
	}
	return append(buf, b...), true
}

// laporAppendPairs writes "key":<each(value)> for every field, comma-separated.
func laporAppendPairs(buf []byte, keys []string, values []any, each func([]byte, any) ([]byte, bool)) ([]byte, bool) {
	var ok bool
	for i, key := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		if buf, ok = laporAppendString(buf, key); !ok {
			return nil, false
		}
		buf = append(buf, ':')
		if buf, ok = each(buf, values[i]); !ok {
			return nil, false
		}
	}
	return buf, true
}

func laporAppendSchema(buf []byte, d *types.Document) ([]byte, bool) {
	keys, values := d.Keys(), d.Values()
	if len(keys) == 0 {
		return append(buf, '{', '}'), true
	}
	buf = append(buf, `{"p":{`...)
	buf, ok := laporAppendPairs(buf, keys, values, laporAppendElem)
	if !ok {
		return nil, false
	}
	buf = append(buf, `},"$k":[`...)
	for i, key := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		if buf, ok = laporAppendString(buf, key); !ok {
			return nil, false
		}
	}
	return append(buf, ']', '}'), true
}

func laporAppendElem(buf []byte, v any) ([]byte, bool) {
	var ok bool
	switch v := v.(type) {
	case *types.Document:
		buf = append(buf, `{"t":"object","$s":`...)
		if buf, ok = laporAppendSchema(buf, v); !ok {
			return nil, false
		}
		return append(buf, '}'), true
	case *types.Array:
		buf = append(buf, `{"t":"array","i":[`...)
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf = append(buf, ',')
			}
			item, _ := v.Get(i)
			if buf, ok = laporAppendElem(buf, item); !ok {
				return nil, false
			}
		}
		return append(buf, ']', '}'), true
	case float64:
		return append(buf, `{"t":"double"}`...), true
	case string:
		return append(buf, `{"t":"string"}`...), true
	case types.Binary:
		buf = append(buf, `{"t":"binData","s":`...)
		buf = strconv.AppendUint(buf, uint64(v.Subtype), 10)
		return append(buf, '}'), true
	case types.ObjectID:
		return append(buf, `{"t":"objectId"}`...), true
	case bool:
		return append(buf, `{"t":"bool"}`...), true
	case time.Time:
		return append(buf, `{"t":"date"}`...), true
	case types.NullType:
		return append(buf, `{"t":"null"}`...), true
	case types.Regex:
		buf = append(buf, `{"t":"regex","o":`...)
		if buf, ok = laporAppendString(buf, v.Options); !ok {
			return nil, false
		}
		return append(buf, '}'), true
	case int32:
		return append(buf, `{"t":"int"}`...), true
	case types.Timestamp:
		return append(buf, `{"t":"timestamp"}`...), true
	case int64:
		return append(buf, `{"t":"long"}`...), true
	}
	return nil, false
}

func laporAppendValue(buf []byte, v any) ([]byte, bool) {
	var ok bool
	switch v := v.(type) {
	case *types.Document:
		buf = append(buf, '{')
		if buf, ok = laporAppendPairs(buf, v.Keys(), v.Values(), laporAppendValue); !ok {
			return nil, false
		}
		return append(buf, '}'), true
	case *types.Array:
		buf = append(buf, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf = append(buf, ',')
			}
			item, _ := v.Get(i)
			if buf, ok = laporAppendValue(buf, item); !ok {
				return nil, false
			}
		}
		return append(buf, ']'), true
	case float64:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, false
		}
		return append(buf, b...), true
	case string:
		return laporAppendString(buf, v)
	case types.Binary:
		if v.B == nil {
			return append(buf, "null"...), true // as encoding/json writes a nil []byte
		}
		buf = append(buf, '"')
		buf = base64.StdEncoding.AppendEncode(buf, v.B)
		return append(buf, '"'), true
	case types.ObjectID:
		buf = append(buf, '"')
		buf = hex.AppendEncode(buf, v[:])
		return append(buf, '"'), true
	case bool:
		return strconv.AppendBool(buf, v), true
	case time.Time:
		return strconv.AppendInt(buf, v.UnixMilli(), 10), true
	case types.NullType:
		return append(buf, "null"...), true
	case types.Regex:
		return laporAppendString(buf, v.Pattern)
	case int32:
		return strconv.AppendInt(buf, int64(v), 10), true
	case types.Timestamp:
		return strconv.AppendUint(buf, uint64(v), 10), true
	case int64:
		return strconv.AppendInt(buf, v, 10), true
	}
	return nil, false
}
