package doctor

import (
	"errors"

	"golang.org/x/sys/windows"
)

func diskFree(path string) (int64, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return 0, err
	}
	var free, total, totalFree uint64
	if err := windows.GetDiskFreeSpaceEx(p, &free, &total, &totalFree); err != nil {
		return 0, err
	}
	return int64(free), nil
}

func totalMemory() (int64, error) {
	return 0, errors.New("not measured on windows without the Docker engine")
}
