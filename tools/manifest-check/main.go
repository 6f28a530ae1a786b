// manifest-check validates rendered Kubernetes and Istio manifests offline.
//
// Every YAML document is decoded by apiVersion/kind into the typed Go structs that the API
// server itself uses (k8s.io/api through the client-go scheme, istio.io/client-go for Istio,
// the Prometheus Operator's monitoring.coreos.com/v1 for ServiceMonitor),
// strictly: unknown or misspelled fields, duplicate keys, wrong types and unknown kinds are
// errors. Istio specs are protobuf messages whose own JSON decoder ignores unknown fields, so
// they are decoded a second time with protojson and checked field by field against the
// descriptor. Then semantic checks run that the types cannot express (ports, probes, quantities,
// selectors, references between objects); see checks.go.
//
//	manifest-check [flags] [file|- ...]      (no file: read stdin)
//
// Exit status: 0 when every object is valid, 1 when any problem was found (all are listed,
// each with kind/name and where it came from), 2 on usage or I/O errors.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	istioscheme "istio.io/client-go/pkg/clientset/versioned/scheme"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// object is one decoded document.
type object struct {
	Source    string // file (and the "# Source:" template helm names) and document number
	GVK       schema.GroupVersionKind
	Namespace string
	Name      string
	Raw       map[string]any // the document as written (for --json and Istio re-decoding)
	Typed     runtime.Object // nil when the typed decode failed
}

func (o *object) ref() string {
	if o.GVK.Kind == "" {
		return "object"
	}
	name := o.Name
	if name == "" {
		name = "<no name>"
	}
	return o.GVK.Kind + "/" + name
}

type report struct {
	problems []string
	warnings []string
}

func (r *report) add(o *object, format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf("%s (%s): %s", o.ref(), o.Source, fmt.Sprintf(format, args...)))
}

func (r *report) warn(o *object, format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf("%s (%s): %s", o.ref(), o.Source, fmt.Sprintf(format, args...)))
}

// Kinds that exist in the scheme but are not objects anyone applies.
var notApplicable = regexp.MustCompile(`(List|Options|Review|Request)$|^(Status|WatchEvent|Scale|Eviction|Binding|APIVersions|APIGroup|APIResourceList)$`)

// Group/versions (or group/version/Kind) no longer served by any supported Kubernetes release;
// their Go types linger in k8s.io/api.
var removedVersions = map[string]string{
	"extensions/v1beta1":                     "removed in Kubernetes 1.16/1.22; use apps/v1 or networking.k8s.io/v1",
	"apps/v1beta1":                           "removed in Kubernetes 1.16; use apps/v1",
	"apps/v1beta2":                           "removed in Kubernetes 1.16; use apps/v1",
	"policy/v1beta1":                         "removed in Kubernetes 1.25; use policy/v1",
	"batch/v1beta1":                          "removed in Kubernetes 1.25; use batch/v1",
	"autoscaling/v2beta1":                    "removed in Kubernetes 1.25; use autoscaling/v2",
	"autoscaling/v2beta2":                    "removed in Kubernetes 1.26; use autoscaling/v2",
	"networking.k8s.io/v1beta1/Ingress":      "removed in Kubernetes 1.22; use networking.k8s.io/v1",
	"networking.k8s.io/v1beta1/IngressClass": "removed in Kubernetes 1.22; use networking.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1beta1":   "removed in Kubernetes 1.26; use flowcontrol.apiserver.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1beta2":   "removed in Kubernetes 1.29; use flowcontrol.apiserver.k8s.io/v1",
}

func main() {
	var (
		label       = flag.String("name", "", "label for stdin in messages (default \"stdin\")")
		noRefs      = flag.Bool("no-refs", false, "skip checks between objects (selectors, backends, HPA targets, Istio hosts); for validating files on their own")
		podSecurity = flag.String("pod-security", "", "also enforce a Pod Security Standard on every pod template: \"restricted\"")
		asJSON      = flag.Bool("json", false, "print the objects as one JSON array on stdout (as written, not defaulted)")
		quiet       = flag.Bool("quiet", false, "print nothing when everything is valid")
	)
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: manifest-check [flags] [file|- ...]   (no file: stdin)")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *podSecurity != "" && *podSecurity != "restricted" {
		fmt.Fprintln(os.Stderr, "manifest-check: --pod-security accepts only \"restricted\"")
		os.Exit(2)
	}

	inputs := flag.Args()
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(istioscheme.AddToScheme(scheme))
	utilruntime.Must(monitoringv1.AddToScheme(scheme))
	decoder := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{Strict: true})

	rep := &report{}
	var objects []*object
	for _, in := range inputs {
		name := in
		var r io.Reader
		if in == "-" {
			name = "stdin"
			if *label != "" {
				name = *label
			}
			r = os.Stdin
		} else {
			f, err := os.Open(in)
			if err != nil {
				fmt.Fprintf(os.Stderr, "manifest-check: %v\n", err)
				os.Exit(2)
			}
			defer f.Close()
			r = f
		}
		objs, err := readDocuments(r, name, scheme, decoder, rep)
		if err != nil {
			fmt.Fprintf(os.Stderr, "manifest-check: %s: %v\n", name, err)
			os.Exit(2)
		}
		objects = append(objects, objs...)
	}

	if len(objects) == 0 {
		rep.problems = append(rep.problems, "no Kubernetes objects in the input")
	}
	c := &checker{rep: rep, objects: objects, refs: !*noRefs, restricted: *podSecurity == "restricted"}
	c.run()

	if *asJSON {
		out := make([]map[string]any, 0, len(objects))
		for _, o := range objects {
			out = append(out, o.Raw)
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(os.Stderr, "manifest-check: %v\n", err)
			os.Exit(2)
		}
	}
	for _, w := range rep.warnings {
		fmt.Fprintln(os.Stderr, "warning: "+w)
	}
	if len(rep.problems) > 0 {
		for _, p := range rep.problems {
			fmt.Fprintln(os.Stderr, "error: "+p)
		}
		fmt.Fprintf(os.Stderr, "manifest-check: %d problem(s) in %d object(s)\n", len(rep.problems), len(objects))
		os.Exit(1)
	}
	if !*quiet {
		fmt.Fprintf(os.Stderr, "manifest-check: %d object(s) valid: %s\n", len(objects), summary(objects))
	}
}

func summary(objects []*object) string {
	counts := map[string]int{}
	for _, o := range objects {
		counts[o.GVK.Kind]++
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s×%d", k, counts[k])
	}
	return strings.Join(parts, ", ")
}

var sourceComment = regexp.MustCompile(`(?m)^# Source: (\S+)`)

// readDocuments splits a multi-document YAML stream and decodes each document.
func readDocuments(r io.Reader, name string, scheme *runtime.Scheme, decoder runtime.Decoder, rep *report) ([]*object, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var objects []*object
	for index := 1; ; index++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objects, nil
		}
		if err != nil {
			return objects, err
		}
		where := fmt.Sprintf("%s, document %d", name, index)
		if m := sourceComment.FindSubmatch(doc); m != nil {
			where = fmt.Sprintf("%s: %s", name, m[1])
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue // empty document (helm emits them for templates that render nothing)
		}
		o := &object{Source: where}
		if obj := decodeDocument(doc, o, scheme, decoder, rep); obj != nil {
			objects = append(objects, obj)
		}
	}
}

func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' || bytes.Equal(t, []byte("---")) {
			continue
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func decodeDocument(doc []byte, o *object, scheme *runtime.Scheme, decoder runtime.Decoder, rep *report) *object {
	// YAMLToJSONStrict rejects duplicate keys, which plain YAML decoding silently resolves.
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		rep.add(o, "not valid YAML: %v", err)
		return o
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		rep.add(o, "the document is not a YAML mapping")
		return nil
	}
	o.Raw = raw
	apiVersion, _ := raw["apiVersion"].(string)
	kind, _ := raw["kind"].(string)
	if meta, ok := raw["metadata"].(map[string]any); ok {
		o.Name, _ = meta["name"].(string)
		o.Namespace, _ = meta["namespace"].(string)
	}
	if apiVersion == "" || kind == "" {
		o.GVK.Kind = kind
		rep.add(o, "apiVersion and kind are required (apiVersion=%q, kind=%q)", apiVersion, kind)
		return o
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		rep.add(o, "bad apiVersion %q: %v", apiVersion, err)
		return o
	}
	o.GVK = gv.WithKind(kind)
	why, removed := removedVersions[apiVersion]
	if !removed {
		why, removed = removedVersions[apiVersion+"/"+kind]
	}
	if removed {
		rep.add(o, "apiVersion %s is not served any more: %s", apiVersion, why)
		return o
	}
	if !scheme.Recognizes(o.GVK) || notApplicable.MatchString(kind) {
		rep.add(o, "unknown kind %q in apiVersion %q (not a Kubernetes, Istio or Prometheus Operator type this tool knows)", kind, apiVersion)
		return o
	}
	typed, _, err := decoder.Decode(data, nil, nil)
	istioFound := false
	if isIstio(o.GVK) {
		// Path-precise checks of the protobuf spec, whether or not the typed decode succeeded.
		if empty, newErr := scheme.New(o.GVK); newErr == nil {
			istioFound = checkIstioSpec(o, rep, empty)
		}
	}
	if err != nil {
		if strictErr, ok := runtime.AsStrictDecodingError(err); ok {
			for _, e := range strictErr.Errors() {
				rep.add(o, "%v", e)
			}
		} else {
			if !istioFound {
				rep.add(o, "does not match the %s schema: %v", o.GVK.String(), err)
			}
			return o
		}
	}
	o.Typed = typed
	return o
}
