package plus

import (
	"bytes"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// deepCopy copies a vim25 value through its XML form, which carries the
// concrete type of every interface field (identity, IP generators, ...).
func deepCopy(src, dst interface{}) error {
	b, err := xml.Marshal(src)
	if err != nil {
		return err
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.TypeFunc = types.TypeFunc()
	return dec.Decode(dst)
}
