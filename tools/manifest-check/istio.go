package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang/protobuf/jsonpb" //nolint:staticcheck // the decoder istio.io/api itself uses
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/runtime/protoiface"
	"google.golang.org/protobuf/runtime/protoimpl"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func isIstio(gvk schema.GroupVersionKind) bool {
	return strings.HasSuffix(gvk.Group, ".istio.io")
}

// specMessage is the (empty) protobuf message behind the Spec field of an Istio object.
func specMessage(obj runtime.Object) proto.Message {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	field := v.Elem().FieldByName("Spec")
	if !field.IsValid() || !field.CanAddr() {
		return nil
	}
	msg, ok := field.Addr().Interface().(proto.Message)
	if !ok {
		return nil
	}
	return msg.ProtoReflect().New().Interface()
}

// checkIstioSpec validates spec strictly. istio.io/api's generated UnmarshalJSON uses jsonpb with
// AllowUnknownFields, so the typed decode alone accepts `outlierDetection: {consecutive5xxError: 5}`
// (a typo) without a word, and its type errors name no field. So spec is walked against the
// message descriptor (every key must be a field's JSON name, as in the CRD schema; every value of
// the field's type; the problems reported with their path), and then decoded by the same jsonpb
// without AllowUnknownFields, which accepts exactly the value forms Istio accepts.
// empty is a new object of the kind (the typed decode may have failed). Reports whether it found
// a problem.
func checkIstioSpec(o *object, rep *report, empty runtime.Object) bool {
	spec, present := o.Raw["spec"]
	if !present {
		rep.add(o, "spec is required")
		return true
	}
	msg := specMessage(empty)
	if msg == nil {
		return false
	}
	before := len(rep.problems)
	walkMessage(o, rep, msg.ProtoReflect().Descriptor(), spec, "spec")
	if len(rep.problems) > before {
		return true
	}
	data, err := json.Marshal(spec)
	if err != nil {
		rep.add(o, "spec: %v", err)
		return true
	}
	if err := (&jsonpb.Unmarshaler{AllowUnknownFields: false}).Unmarshal(bytes.NewReader(data), protoV1(msg)); err != nil {
		rep.add(o, "spec does not match the %s schema: %s", o.GVK.Kind, strings.ReplaceAll(err.Error(), "\u00a0", " "))
		return true
	}
	return false
}

func protoV1(m proto.Message) protoiface.MessageV1 { return protoimpl.X.ProtoMessageV1Of(m) }

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

func walkMessage(o *object, rep *report, md protoreflect.MessageDescriptor, value any, path string) {
	if strings.HasPrefix(string(md.FullName()), "google.protobuf.") {
		walkWellKnown(o, rep, md, value, path)
		return
	}
	fields, ok := value.(map[string]any)
	if !ok {
		rep.add(o, "%s: must be an object (%s), not %s", path, md.Name(), typeName(value))
		return
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		childPath := path + "." + key
		fd := md.Fields().ByJSONName(key)
		if fd == nil {
			if alt := md.Fields().ByName(protoreflect.Name(key)); alt != nil {
				rep.add(o, "%s: unknown field; the API names it %q", childPath, alt.JSONName())
			} else {
				rep.add(o, "%s: unknown field (%s has no such field)", childPath, md.Name())
			}
			continue
		}
		child := fields[key]
		if child == nil {
			continue // null means "not set"
		}
		switch {
		case fd.IsMap():
			m, ok := child.(map[string]any)
			if !ok {
				rep.add(o, "%s: must be a map, not %s", childPath, typeName(child))
				continue
			}
			for k, v := range m {
				walkValue(o, rep, fd.MapValue(), v, fmt.Sprintf("%s[%s]", childPath, k))
			}
		case fd.IsList():
			list, ok := child.([]any)
			if !ok {
				rep.add(o, "%s: must be a list, not %s", childPath, typeName(child))
				continue
			}
			for i, v := range list {
				walkValue(o, rep, fd, v, fmt.Sprintf("%s[%d]", childPath, i))
			}
		default:
			walkValue(o, rep, fd, child, childPath)
		}
	}
}

// walkValue checks one scalar or message value against a field's kind (the forms jsonpb accepts).
func walkValue(o *object, rep *report, fd protoreflect.FieldDescriptor, v any, path string) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		walkMessage(o, rep, fd.Message(), v, path)
	case protoreflect.BoolKind:
		if _, ok := v.(bool); !ok {
			rep.add(o, "%s: must be a boolean, not %s", path, typeName(v))
		}
	case protoreflect.StringKind:
		if _, ok := v.(string); !ok {
			rep.add(o, "%s: must be a string, not %s", path, typeName(v))
		}
	case protoreflect.BytesKind:
		if _, ok := v.(string); !ok {
			rep.add(o, "%s: must be a base64 string, not %s", path, typeName(v))
		}
	case protoreflect.EnumKind:
		switch e := v.(type) {
		case string:
			if fd.Enum().Values().ByName(protoreflect.Name(e)) == nil {
				var allowed []string
				for i := 0; i < fd.Enum().Values().Len(); i++ {
					allowed = append(allowed, string(fd.Enum().Values().Get(i).Name()))
				}
				rep.add(o, "%s: %q is not one of %s", path, e, strings.Join(allowed, ", "))
			}
		case float64:
			if fd.Enum().Values().ByNumber(protoreflect.EnumNumber(e)) == nil {
				rep.add(o, "%s: %v is not a value of %s", path, e, fd.Enum().Name())
			}
		default:
			rep.add(o, "%s: must be an enum name, not %s", path, typeName(v))
		}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		if _, ok := v.(float64); !ok {
			rep.add(o, "%s: must be a number, not %s", path, typeName(v))
		}
	default: // integers
		checkInteger(o, rep, fd.Kind(), v, path)
	}
}

func checkInteger(o *object, rep *report, kind protoreflect.Kind, v any, path string) {
	var n float64
	switch x := v.(type) {
	case float64:
		n = x
	case string: // proto3 JSON allows quoted integers (and 64-bit ones are written so)
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			rep.add(o, "%s: must be an integer, not %q", path, x)
			return
		}
		n = f
	default:
		rep.add(o, "%s: must be an integer, not %s", path, typeName(v))
		return
	}
	if n != math.Trunc(n) {
		rep.add(o, "%s: %v is not an integer", path, n)
		return
	}
	lo, hi := float64(math.MinInt64), float64(math.MaxInt64)
	switch kind {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		lo, hi = math.MinInt32, math.MaxInt32
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		lo, hi = 0, math.MaxUint32
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		lo, hi = 0, math.MaxUint64
	}
	if n < lo || n > hi {
		rep.add(o, "%s: %v is out of range for %s", path, n, kind)
	}
}

func walkWellKnown(o *object, rep *report, md protoreflect.MessageDescriptor, v any, path string) {
	switch md.FullName() {
	case "google.protobuf.Duration":
		s, ok := v.(string)
		if !ok {
			rep.add(o, "%s: must be a duration string such as \"10s\", not %s", path, typeName(v))
			return
		}
		if d, err := time.ParseDuration(s); err != nil || d < 0 {
			rep.add(o, "%s: %q is not a valid duration (e.g. 500ms, 10s, 1m)", path, s)
		}
	case "google.protobuf.BoolValue":
		if _, ok := v.(bool); !ok {
			rep.add(o, "%s: must be a boolean, not %s", path, typeName(v))
		}
	case "google.protobuf.StringValue":
		if _, ok := v.(string); !ok {
			rep.add(o, "%s: must be a string, not %s", path, typeName(v))
		}
	case "google.protobuf.UInt32Value":
		checkInteger(o, rep, protoreflect.Uint32Kind, v, path)
	case "google.protobuf.Int32Value":
		checkInteger(o, rep, protoreflect.Int32Kind, v, path)
	case "google.protobuf.UInt64Value":
		checkInteger(o, rep, protoreflect.Uint64Kind, v, path)
	case "google.protobuf.Int64Value":
		checkInteger(o, rep, protoreflect.Int64Kind, v, path)
	case "google.protobuf.DoubleValue", "google.protobuf.FloatValue":
		if _, ok := v.(float64); !ok {
			rep.add(o, "%s: must be a number, not %s", path, typeName(v))
		}
	}
	// Struct, Value, Any, Empty, ...: jsonpb checks them.
}
