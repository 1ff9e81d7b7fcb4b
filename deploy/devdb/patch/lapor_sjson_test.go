package sjson

// lapor_sjson_test.go: run by deploy/devdb/test.sh (ctest devdb_sjson).
//
// The one-pass decoder must give exactly what the level-by-level one gives, and
// must never accept what that one refuses. Compared on hand-picked documents, on
// random ones, and on every random corruption of them.

import (
	"bytes"
	"math"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/internal/types"
)

func laporSlow(data []byte) (*types.Document, error) {
	laporSlowOnly = true
	defer func() { laporSlowOnly = false }()
	return Unmarshal(data)
}

func laporDoc(t *testing.T, pairs ...any) *types.Document {
	d, err := types.NewDocument(pairs...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func laporArr(values ...any) *types.Array {
	a := types.MakeArray(len(values))
	a.Append(values...)
	return a
}

var laporWords = []string{
	"", "a", "keluhan", "Samurangau", "jalan rusak", "é ü", "日本", "🙂", "tab\there",
	"quote\"", "back\\slash", "<b>&amp;</b>", "line\nbreak", "\u2028", "ctl\x01", "bad\xff\xe6", "del\x7f",
}

// laporRandom builds a random value; depth bounds the nesting.
func laporRandom(r *rand.Rand, depth int) any {
	n := 11
	if depth > 0 {
		n = 13
	}
	switch r.Intn(n) {
	case 0:
		return laporWords[r.Intn(len(laporWords))]
	case 1:
		return int32(r.Int63n(1<<32) - 1<<31)
	case 2:
		return r.Int63() - r.Int63()
	case 3:
		return []float64{0, -0.0, 0.1, -1.5e300, 3, 1e-310, math.MaxFloat64}[r.Intn(7)] * r.Float64()
	case 4:
		return r.Intn(2) == 0
	case 5:
		var id types.ObjectID
		r.Read(id[:])
		return id
	case 6:
		b := make([]byte, r.Intn(40))
		r.Read(b)
		return types.Binary{B: b, Subtype: types.BinarySubtype([]byte{0, 4, 0x80}[r.Intn(3)])}
	case 7:
		return time.UnixMilli(r.Int63n(4e12) - 1e12)
	case 8:
		return types.Null
	case 9:
		return types.Timestamp(r.Uint64())
	case 10:
		return types.Regex{Pattern: laporWords[r.Intn(len(laporWords))], Options: "i"}
	case 11:
		return laporRandomDoc(r, depth-1)
	default:
		a := types.MakeArray(0)
		for i := r.Intn(5); i > 0; i-- {
			a.Append(laporRandom(r, depth-1))
		}
		return a
	}
}

func laporRandomDoc(r *rand.Rand, depth int) *types.Document {
	d := types.MakeDocument(0)
	for i := r.Intn(8); i > 0; i-- {
		key := []string{"_id", "status", "v", "region", "history", "x.y", "$k", "p", "t", "é", "sp ace"}[r.Intn(11)]
		if !d.Has(key) {
			d.Set(key, laporRandom(r, depth))
		}
	}
	return d
}

// laporCheckMarshal: the fast encoder writes what the slow one writes.
func laporCheckMarshal(t *testing.T, d *types.Document) []byte {
	t.Helper()
	got, ok := laporMarshal(d)
	laporSlowOnly = true
	want, err := Marshal(d)
	laporSlowOnly = false
	if err != nil {
		if ok {
			t.Fatalf("fast wrote what slow refuses (%v):\n%s", err, got)
		}
		return nil
	}
	if !ok || !bytes.Equal(got, want) {
		t.Fatalf("fast and slow encoders differ (%v):\n%s\n%s", ok, got, want)
	}
	return got
}

// laporCheck: whatever the fast decoder accepts, the slow one accepts as equal.
func laporCheck(t *testing.T, data []byte) (fast bool) {
	t.Helper()
	got, ok := laporUnmarshal(data)
	want, err := laporSlow(data)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("fast accepted what slow refuses (%v):\n%s", err, data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fast and slow differ for\n%s\nfast: %#v\nslow: %#v", data, got, want)
	}
	return true
}

func TestLaporUnmarshalKnown(t *testing.T) {
	docs := []*types.Document{
		types.MakeDocument(0),
		laporDoc(t, "_id", "x"),
		laporDoc(t, "_id", types.ObjectID{1, 2, 3}, "n", int32(-7), "l", int64(math.MinInt64),
			"d", -0.0, "f", 0.1, "b", false, "t", true, "z", types.Null,
			"at", time.UnixMilli(1795924720798), "ts", types.Timestamp(math.MaxUint64),
			"bin", types.Binary{B: []byte{}, Subtype: 0}, "nil", types.Binary{Subtype: 2},
			"big", 1e21, "small", 1e-7, "seal", types.Binary{B: []byte("abc"), Subtype: 0x80},
			"re", types.Regex{Pattern: "^a.*b$", Options: "ims"}),
		laporDoc(t, "region", laporDoc(t, "code", "64.01", "name", "Samurangau"),
			"empty", types.MakeDocument(0), "none", laporArr(),
			"history", laporArr(laporDoc(t, "at", int64(1), "status", "received"),
				laporDoc(t, "at", int64(2), "status", "disposed", "agency_id", "paser-dinkes")),
			"nested", laporArr(laporArr(int32(1), "a", types.Null), laporArr())),
		laporDoc(t, "text", "Jalan di desa rusak 日本 🙂"),
	}
	for _, d := range docs {
		data := laporCheckMarshal(t, d)
		if !laporCheck(t, data) {
			t.Fatalf("the fast decoder refused what Marshal wrote:\n%s", data)
		}
	}

	// Escapes and invalid UTF-8 decode as the slow way decodes them.
	for _, s := range []string{
		`{"$s":{"p":{"a":{"t":"string"}},"$k":["a"]},"a":"x\"y\\z\u00e9\ud83d\ude42\ud800\n"}`,
		"{\"$s\":{\"p\":{\"a\":{\"t\":\"string\"}},\"$k\":[\"a\"]},\"a\":\"\xff\xe6\x97\"}",
		`{"$s":{"p":{"a\u0062":{"t":"int"}},"$k":["ab"]},"ab":1}`,
	} {
		if !laporCheck(t, []byte(s)) {
			t.Fatalf("the fast decoder refused %s", s)
		}
	}

	// Keys out of order go the slow way.
	for _, s := range []string{
		`{"$s":{"p":{"a":{"t":"int"},"b":{"t":"int"}},"$k":["a","b"]},"b":1,"a":2}`,
	} {
		if laporCheck(t, []byte(s)) {
			t.Fatalf("the fast decoder took %s", s)
		}
		if _, err := laporSlow([]byte(s)); err != nil {
			t.Fatalf("slow refused %s: %v", s, err)
		}
	}
}

func TestLaporUnmarshalRandom(t *testing.T) {
	r := rand.New(rand.NewSource(20261129))
	corrupt := 0
	for i := 0; i < 3000; i++ {
		d := laporRandomDoc(r, 3)
		data := laporCheckMarshal(t, d)
		if !laporCheck(t, data) {
			t.Fatalf("the fast decoder refused what Marshal wrote:\n%s", data)
		}

		// Every kind of damage: a byte dropped, doubled, changed; the text cut.
		for j := 0; j < 20; j++ {
			b := append([]byte(nil), data...)
			k := r.Intn(len(b))
			switch r.Intn(4) {
			case 0:
				b = append(b[:k], b[k+1:]...)
			case 1:
				b = append(b[:k+1], b[k:]...)
			case 2:
				b[k] = `{}[]:,"0-1.e9tfnul \ax`[r.Intn(22)]
			default:
				b = b[:k]
			}
			if laporCheck(t, b) {
				corrupt++
			}
		}
	}
	t.Logf("all 3000 random documents decoded the fast way; %d changed ones accepted by both", corrupt)
}
