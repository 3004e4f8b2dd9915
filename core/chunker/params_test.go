package chunker

import "testing"

func TestValidate(t *testing.T) {
	for _, p := range []Params{Default, small, tiny, {Min: 1 << 20, Avg: 1 << 20, Max: 1 << 20}, {Min: 64, Avg: 64, Max: MaxMax}} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	for _, p := range []Params{
		{},
		{Min: 63, Avg: 256, Max: 1024},
		{Min: -1, Avg: 256, Max: 1024},
		{Min: 512, Avg: 256, Max: 1024},
		{Min: 64, Avg: 256, Max: 255},
		{Min: 64, Avg: 384, Max: 1024},
		{Min: 1 << 20, Avg: 1 << 20, Max: MaxMax + 1},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: Validate accepted invalid parameters", p)
		}
	}
}

func TestMasks(t *testing.T) {
	// Default: Avg-Min = 512 KiB = 2^19, so 21 and 17 bits.
	s, l := Default.masks()
	if s != 0xFFFFF80000000000 || l != 0xFFFF800000000000 {
		t.Errorf("Default masks = %#x, %#x", s, l)
	}
	// Min == Avg falls back to d = 64: 8 and 4 bits.
	s, l = Params{Min: 4096, Avg: 4096, Max: 8192}.masks()
	if s != 0xFF00000000000000 || l != 0xF000000000000000 {
		t.Errorf("Min==Avg masks = %#x, %#x", s, l)
	}
}

func TestInvalidParamsPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted invalid parameters")
		}
	}()
	New(nil, Params{Min: 1024, Avg: 512, Max: 4096}, testTable)
}
