//go:build !linux

package benchdata

import (
	"errors"
	"os"
)

var errNoSeekData = errors.New("SEEK_DATA is Linux's")

func seekData(*os.File, int64) (int64, error) { return 0, errNoSeekData }
func seekHole(*os.File, int64) (int64, error) { return 0, errNoSeekData }
