package main

// Semantic checks: what the API server (or the controller behind it) would reject or silently
// mishandle, but what the Go types cannot express: port ranges, probe handlers, quantities and
// requests <= limits, $(VAR) references, selectors against template labels, and references
// between objects (Service -> pods, HPA -> workload, Ingress -> Service port, Istio host -> Service).

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	apinet "istio.io/api/networking/v1alpha3"
	istiov1 "istio.io/client-go/pkg/apis/networking/v1"
	istiov1alpha3 "istio.io/client-go/pkg/apis/networking/v1alpha3"
	istiov1beta1 "istio.io/client-go/pkg/apis/networking/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

type workload struct {
	o          *object
	template   *corev1.PodTemplateSpec
	replicas   *int32 // nil: not a scalable workload or left to the default (1)
	scalable   bool
	claims     map[string]bool // StatefulSet volumeClaimTemplates
	hpaMin     *int32          // set when an HPA manages this workload
	selectable bool            // long-running pods a Service/PDB may select (not Jobs)
}

type checker struct {
	rep        *report
	objects    []*object
	refs       bool
	restricted bool
	workloads  []*workload
}

func (c *checker) run() {
	c.collectWorkloads()
	c.duplicates()
	// Autoscalers first: disruption budgets and workloads need to know who manages the scale.
	for _, o := range c.objects {
		switch t := o.Typed.(type) {
		case *autoscalingv2.HorizontalPodAutoscaler:
			c.hpaV2(o, t)
		case *autoscalingv1.HorizontalPodAutoscaler:
			c.hpaTarget(o, t.Spec.ScaleTargetRef.Kind, t.Spec.ScaleTargetRef.Name, t.Spec.MinReplicas, t.Spec.MaxReplicas)
		}
	}
	for _, o := range c.objects {
		if o.Typed == nil {
			continue
		}
		c.metadata(o)
		switch t := o.Typed.(type) {
		case *corev1.Service:
			c.service(o, t)
		case *corev1.ConfigMap:
			c.configMap(o, t)
		case *corev1.Secret:
			c.secret(o, t)
		case *policyv1.PodDisruptionBudget:
			c.pdb(o, t)
		case *networkingv1.Ingress:
			c.ingress(o, t)
		case *corev1.PersistentVolumeClaim:
			c.claim(o, "spec", &t.Spec)
		case *istiov1.DestinationRule:
			c.destinationRule(o, &t.Spec)
		case *istiov1beta1.DestinationRule:
			c.destinationRule(o, &t.Spec)
		case *istiov1alpha3.DestinationRule:
			c.destinationRule(o, &t.Spec)
		case *istiov1.VirtualService:
			c.virtualService(o, &t.Spec)
		case *istiov1beta1.VirtualService:
			c.virtualService(o, &t.Spec)
		case *istiov1alpha3.VirtualService:
			c.virtualService(o, &t.Spec)
		case *monitoringv1.ServiceMonitor:
			c.serviceMonitor(o, t)
		}
	}
	for _, w := range c.workloads {
		c.workload(w)
	}
}

// ---------------------------------------------------------------------------------------------
// Workloads and pod templates

func (c *checker) collectWorkloads() {
	for _, o := range c.objects {
		var w *workload
		switch t := o.Typed.(type) {
		case *appsv1.Deployment:
			w = &workload{o: o, template: &t.Spec.Template, replicas: t.Spec.Replicas, scalable: true, selectable: true}
		case *appsv1.StatefulSet:
			claims := map[string]bool{}
			for _, pvc := range t.Spec.VolumeClaimTemplates {
				claims[pvc.Name] = true
			}
			w = &workload{o: o, template: &t.Spec.Template, replicas: t.Spec.Replicas, scalable: true, claims: claims, selectable: true}
		case *appsv1.ReplicaSet:
			w = &workload{o: o, template: &t.Spec.Template, replicas: t.Spec.Replicas, scalable: true, selectable: true}
		case *appsv1.DaemonSet:
			w = &workload{o: o, template: &t.Spec.Template, selectable: true}
		case *batchv1.Job:
			w = &workload{o: o, template: &t.Spec.Template}
		case *batchv1.CronJob:
			w = &workload{o: o, template: &t.Spec.JobTemplate.Spec.Template}
		case *corev1.Pod:
			w = &workload{o: o, template: &corev1.PodTemplateSpec{ObjectMeta: t.ObjectMeta, Spec: t.Spec}, selectable: true}
		}
		if w != nil {
			c.workloads = append(c.workloads, w)
		}
	}
}

func (c *checker) workload(w *workload) {
	o := w.o
	switch t := o.Typed.(type) {
	case *appsv1.Deployment:
		c.selector(o, "spec.selector", t.Spec.Selector, t.Spec.Template.Labels)
		c.replicas(o, t.Spec.Replicas)
		if ru := t.Spec.Strategy.RollingUpdate; ru != nil && isZero(ru.MaxSurge) && isZero(ru.MaxUnavailable) {
			c.rep.add(o, "spec.strategy.rollingUpdate: maxSurge and maxUnavailable cannot both be 0")
		}
		c.restartPolicy(o, t.Spec.Template.Spec.RestartPolicy, corev1.RestartPolicyAlways)
	case *appsv1.StatefulSet:
		c.selector(o, "spec.selector", t.Spec.Selector, t.Spec.Template.Labels)
		c.replicas(o, t.Spec.Replicas)
		c.restartPolicy(o, t.Spec.Template.Spec.RestartPolicy, corev1.RestartPolicyAlways)
		for i := range t.Spec.VolumeClaimTemplates {
			pvc := &t.Spec.VolumeClaimTemplates[i]
			p := fmt.Sprintf("spec.volumeClaimTemplates[%d]", i)
			if errs := validation.IsDNS1123Subdomain(pvc.Name); len(errs) > 0 {
				c.rep.add(o, "%s.metadata.name %q: %s", p, pvc.Name, strings.Join(errs, "; "))
			}
			c.claim(o, p+".spec", &pvc.Spec)
		}
		if c.refs && t.Spec.ServiceName != "" {
			svc := c.find("Service", o.Namespace, t.Spec.ServiceName)
			if svc == nil {
				c.rep.add(o, "spec.serviceName %q: no such Service in the input (the pods get no stable DNS names)", t.Spec.ServiceName)
			} else if s, ok := svc.Typed.(*corev1.Service); ok && s.Spec.ClusterIP != corev1.ClusterIPNone {
				c.rep.warn(o, "spec.serviceName %q is not a headless Service (clusterIP: None)", t.Spec.ServiceName)
			}
		}
	case *appsv1.ReplicaSet:
		c.selector(o, "spec.selector", t.Spec.Selector, t.Spec.Template.Labels)
		c.replicas(o, t.Spec.Replicas)
	case *appsv1.DaemonSet:
		c.selector(o, "spec.selector", t.Spec.Selector, t.Spec.Template.Labels)
	case *batchv1.Job:
		c.job(o, "spec", &t.Spec)
	case *batchv1.CronJob:
		if strings.TrimSpace(t.Spec.Schedule) == "" {
			c.rep.add(o, "spec.schedule is required")
		}
		c.job(o, "spec.jobTemplate.spec", &t.Spec.JobTemplate.Spec)
	}
	path := "spec.template.spec"
	if _, isPod := o.Typed.(*corev1.Pod); isPod {
		path = "spec"
	} else if _, isCron := o.Typed.(*batchv1.CronJob); isCron {
		path = "spec.jobTemplate.spec.template.spec"
	}
	c.podSpec(o, path, &w.template.Spec, w.claims)
	if w.hpaMin != nil && w.replicas != nil {
		c.rep.warn(o, "spec.replicas is set although a HorizontalPodAutoscaler manages it: every apply resets the scale")
	}
}

func (c *checker) job(o *object, path string, spec *batchv1.JobSpec) {
	rp := spec.Template.Spec.RestartPolicy
	if rp != corev1.RestartPolicyNever && rp != corev1.RestartPolicyOnFailure {
		c.rep.add(o, "%s.template.spec.restartPolicy must be Never or OnFailure for a Job (got %q)", path, rp)
	}
	if spec.BackoffLimit != nil && *spec.BackoffLimit < 0 {
		c.rep.add(o, "%s.backoffLimit must be >= 0", path)
	}
	if spec.ActiveDeadlineSeconds != nil && *spec.ActiveDeadlineSeconds <= 0 {
		c.rep.add(o, "%s.activeDeadlineSeconds must be > 0", path)
	}
	if spec.Selector != nil && (spec.ManualSelector == nil || !*spec.ManualSelector) {
		c.rep.add(o, "%s.selector is generated by the Job controller; set it only with manualSelector: true", path)
	}
}

func (c *checker) replicas(o *object, r *int32) {
	if r != nil && *r < 0 {
		c.rep.add(o, "spec.replicas must be >= 0 (got %d)", *r)
	}
}

func (c *checker) restartPolicy(o *object, got, want corev1.RestartPolicy) {
	if got != "" && got != want {
		c.rep.add(o, "spec.template.spec.restartPolicy must be %s (got %s)", want, got)
	}
}

func (c *checker) selector(o *object, path string, sel *metav1.LabelSelector, podLabels map[string]string) {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		c.rep.add(o, "%s is required and must not be empty", path)
		return
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		c.rep.add(o, "%s: %v", path, err)
		return
	}
	if !s.Matches(labels.Set(podLabels)) {
		c.rep.add(o, "%s (%s) does not match the pod template labels (%s)", path, s.String(), labels.Set(podLabels).String())
	}
}

func (c *checker) podSpec(o *object, path string, spec *corev1.PodSpec, claims map[string]bool) {
	if len(spec.Containers) == 0 {
		c.rep.add(o, "%s.containers: at least one container is required", path)
	}
	volumes, own := map[string]bool{}, map[string]bool{}
	for name := range claims {
		volumes[name] = true
	}
	for i := range spec.Volumes {
		v := &spec.Volumes[i]
		p := fmt.Sprintf("%s.volumes[%s]", path, v.Name)
		if errs := validation.IsDNS1123Label(v.Name); len(errs) > 0 {
			c.rep.add(o, "%s: bad name: %s", p, strings.Join(errs, "; "))
		}
		if own[v.Name] || claims[v.Name] {
			c.rep.add(o, "%s: duplicate volume name", p)
		}
		own[v.Name], volumes[v.Name] = true, true
		if n := countSet(v.VolumeSource); n != 1 {
			c.rep.add(o, "%s: exactly one volume source is required (got %d)", p, n)
		}
		if v.EmptyDir != nil && v.EmptyDir.SizeLimit != nil && v.EmptyDir.SizeLimit.Sign() <= 0 {
			c.rep.add(o, "%s.emptyDir.sizeLimit must be > 0", p)
		}
		if v.Secret != nil {
			c.keysExist(o, p+".secret", "Secret", v.Secret.SecretName, itemKeys(v.Secret.Items), v.Secret.Optional)
		}
		if v.ConfigMap != nil {
			c.keysExist(o, p+".configMap", "ConfigMap", v.ConfigMap.Name, itemKeys(v.ConfigMap.Items), v.ConfigMap.Optional)
		}
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "" {
			c.rep.add(o, "%s.persistentVolumeClaim.claimName is required", p)
		}
	}
	for _, ref := range spec.ImagePullSecrets {
		if ref.Name == "" {
			c.rep.add(o, "%s.imagePullSecrets: name is required", path)
			continue
		}
		if s := c.find("Secret", o.Namespace, ref.Name); s != nil {
			if sec, ok := s.Typed.(*corev1.Secret); ok && sec.Type != corev1.SecretTypeDockerConfigJson && sec.Type != corev1.SecretTypeDockercfg {
				c.rep.add(o, "%s.imagePullSecrets[%s]: Secret type is %q, not kubernetes.io/dockerconfigjson", path, ref.Name, sec.Type)
			}
		}
	}
	names := map[string]bool{}
	check := func(kind string, list []corev1.Container) {
		for i := range list {
			ct := &list[i]
			p := fmt.Sprintf("%s.%s[%s]", path, kind, ct.Name)
			if ct.Name == "" {
				p = fmt.Sprintf("%s.%s[%d]", path, kind, i)
			}
			if names[ct.Name] {
				c.rep.add(o, "%s: duplicate container name", p)
			}
			names[ct.Name] = true
			c.container(o, p, ct, spec, volumes, kind == "containers")
		}
	}
	check("initContainers", spec.InitContainers)
	check("containers", spec.Containers)
	if spec.TerminationGracePeriodSeconds != nil && *spec.TerminationGracePeriodSeconds < 0 {
		c.rep.add(o, "%s.terminationGracePeriodSeconds must be >= 0", path)
	}
	if c.restricted {
		c.podSecurity(o, path, spec)
	}
}

func itemKeys(items []corev1.KeyToPath) []string {
	keys := make([]string, 0, len(items))
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	return keys
}

// countSet counts the non-nil pointer fields of a union struct such as VolumeSource.
func countSet(v any) int {
	rv := reflect.ValueOf(v)
	n := 0
	for i := 0; i < rv.NumField(); i++ {
		if f := rv.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			n++
		}
	}
	return n
}

var standardResources = map[corev1.ResourceName]bool{
	corev1.ResourceCPU: true, corev1.ResourceMemory: true, corev1.ResourceEphemeralStorage: true,
}

func (c *checker) container(o *object, p string, ct *corev1.Container, pod *corev1.PodSpec, volumes map[string]bool, regular bool) {
	if errs := validation.IsDNS1123Label(ct.Name); len(errs) > 0 {
		c.rep.add(o, "%s.name %q: %s", p, ct.Name, strings.Join(errs, "; "))
	}
	if strings.TrimSpace(ct.Image) == "" {
		c.rep.add(o, "%s.image is required", p)
	} else if strings.ContainsAny(ct.Image, " \t") || strings.HasSuffix(ct.Image, ":") {
		c.rep.add(o, "%s.image %q is not a valid image reference", p, ct.Image)
	}
	// Ports.
	portNames := map[string]bool{}
	for i, port := range ct.Ports {
		pp := fmt.Sprintf("%s.ports[%d]", p, i)
		if port.ContainerPort < 1 || port.ContainerPort > 65535 {
			c.rep.add(o, "%s.containerPort: %d is not in 1..65535", pp, port.ContainerPort)
		}
		if port.HostPort < 0 || port.HostPort > 65535 {
			c.rep.add(o, "%s.hostPort: %d is not in 0..65535", pp, port.HostPort)
		}
		if port.Protocol != "" && port.Protocol != corev1.ProtocolTCP && port.Protocol != corev1.ProtocolUDP && port.Protocol != corev1.ProtocolSCTP {
			c.rep.add(o, "%s.protocol %q must be TCP, UDP or SCTP", pp, port.Protocol)
		}
		if port.Name != "" {
			if errs := validation.IsValidPortName(port.Name); len(errs) > 0 {
				c.rep.add(o, "%s.name %q: %s", pp, port.Name, strings.Join(errs, "; "))
			}
			if portNames[port.Name] {
				c.rep.add(o, "%s.name %q is used twice", pp, port.Name)
			}
			portNames[port.Name] = true
		}
	}
	// Probes (regular containers only; init containers may not have them).
	for _, pr := range []struct {
		name  string
		probe *corev1.Probe
	}{{"livenessProbe", ct.LivenessProbe}, {"readinessProbe", ct.ReadinessProbe}, {"startupProbe", ct.StartupProbe}} {
		if pr.probe == nil {
			continue
		}
		if !regular && (ct.RestartPolicy == nil || *ct.RestartPolicy != corev1.ContainerRestartPolicyAlways) {
			c.rep.add(o, "%s.%s: init containers cannot have probes", p, pr.name)
			continue
		}
		c.probe(o, p+"."+pr.name, pr.name, pr.probe, portNames)
	}
	// Resources.
	for _, list := range []struct {
		name string
		rl   corev1.ResourceList
	}{{"requests", ct.Resources.Requests}, {"limits", ct.Resources.Limits}} {
		for name, q := range list.rl {
			if !standardResources[name] && !strings.HasPrefix(string(name), "hugepages-") && !strings.Contains(string(name), "/") {
				c.rep.add(o, "%s.resources.%s: unknown resource %q (cpu, memory, ephemeral-storage, hugepages-*, or a domain-prefixed extended resource)", p, list.name, name)
			}
			if q.Sign() < 0 {
				c.rep.add(o, "%s.resources.%s.%s: %s must not be negative", p, list.name, name, q.String())
			}
			// Re-parse the canonical form: catches values the typed decode accepted loosely.
			if _, err := resource.ParseQuantity(q.String()); err != nil {
				c.rep.add(o, "%s.resources.%s.%s: %v", p, list.name, name, err)
			}
		}
	}
	for name, req := range ct.Resources.Requests {
		if lim, ok := ct.Resources.Limits[name]; ok && req.Cmp(lim) > 0 {
			c.rep.add(o, "%s.resources: requests.%s (%s) exceeds limits.%s (%s)", p, name, req.String(), name, lim.String())
		}
	}
	// Environment: names, one source each, $(VAR) references to variables defined before.
	defined := map[string]bool{}
	hasEnvFrom := len(ct.EnvFrom) > 0
	for i, e := range ct.Env {
		ep := fmt.Sprintf("%s.env[%s]", p, e.Name)
		if e.Name == "" {
			c.rep.add(o, "%s.env[%d].name is required", p, i)
		}
		if defined[e.Name] {
			c.rep.add(o, "%s: defined twice (the last one wins silently)", ep)
		}
		if e.ValueFrom != nil {
			if e.Value != "" {
				c.rep.add(o, "%s: value and valueFrom are mutually exclusive", ep)
			}
			if n := countSet(*e.ValueFrom); n != 1 {
				c.rep.add(o, "%s.valueFrom: exactly one source is required (got %d)", ep, n)
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				c.keysExist(o, ep+".valueFrom.configMapKeyRef", "ConfigMap", r.Name, []string{r.Key}, r.Optional)
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				c.keysExist(o, ep+".valueFrom.secretKeyRef", "Secret", r.Name, []string{r.Key}, r.Optional)
			}
		}
		for _, ref := range varRefs(e.Value) {
			if !defined[ref] && !hasEnvFrom {
				c.rep.add(o, "%s: $(%s) refers to a variable not defined earlier in env, so it stays literally \"$(%s)\"", ep, ref, ref)
			}
		}
		defined[e.Name] = true
	}
	for _, ef := range ct.EnvFrom {
		if ef.ConfigMapRef != nil {
			c.keysExist(o, p+".envFrom.configMapRef", "ConfigMap", ef.ConfigMapRef.Name, nil, ef.ConfigMapRef.Optional)
		}
		if ef.SecretRef != nil {
			c.keysExist(o, p+".envFrom.secretRef", "Secret", ef.SecretRef.Name, nil, ef.SecretRef.Optional)
		}
	}
	for _, arg := range append(append([]string{}, ct.Command...), ct.Args...) {
		for _, ref := range varRefs(arg) {
			if !defined[ref] && !hasEnvFrom {
				c.rep.warn(o, "%s: command/args use $(%s), which is not in env", p, ref)
			}
		}
	}
	// Volume mounts.
	mounts := map[string]bool{}
	for _, m := range ct.VolumeMounts {
		mp := fmt.Sprintf("%s.volumeMounts[%s]", p, m.MountPath)
		if !volumes[m.Name] {
			c.rep.add(o, "%s: volume %q is not defined in the pod (volumes or volumeClaimTemplates)", mp, m.Name)
		}
		if !strings.HasPrefix(m.MountPath, "/") {
			c.rep.add(o, "%s: mountPath must be absolute", mp)
		}
		if mounts[m.MountPath] {
			c.rep.add(o, "%s: mounted twice", mp)
		}
		mounts[m.MountPath] = true
	}
	// Security context consistency.
	if runAsNonRoot(pod, ct) && runAsUser(pod, ct) != nil && *runAsUser(pod, ct) == 0 {
		c.rep.add(o, "%s.securityContext: runAsNonRoot is true but runAsUser is 0", p)
	}
}

func (c *checker) probe(o *object, p, kind string, pr *corev1.Probe, portNames map[string]bool) {
	handlers := 0
	if pr.Exec != nil {
		handlers++
		if len(pr.Exec.Command) == 0 {
			c.rep.add(o, "%s.exec.command must not be empty", p)
		}
	}
	if h := pr.HTTPGet; h != nil {
		handlers++
		if h.Path == "" {
			c.rep.add(o, "%s.httpGet.path is missing", p)
		} else if !strings.HasPrefix(h.Path, "/") {
			c.rep.add(o, "%s.httpGet.path %q must start with /", p, h.Path)
		}
		c.probePort(o, p+".httpGet.port", h.Port, portNames)
		if h.Scheme != "" && h.Scheme != corev1.URISchemeHTTP && h.Scheme != corev1.URISchemeHTTPS {
			c.rep.add(o, "%s.httpGet.scheme must be HTTP or HTTPS", p)
		}
	}
	if t := pr.TCPSocket; t != nil {
		handlers++
		c.probePort(o, p+".tcpSocket.port", t.Port, portNames)
	}
	if g := pr.GRPC; g != nil {
		handlers++
		if g.Port < 1 || g.Port > 65535 {
			c.rep.add(o, "%s.grpc.port: %d is not in 1..65535", p, g.Port)
		}
	}
	if handlers != 1 {
		c.rep.add(o, "%s: exactly one of exec, httpGet, tcpSocket, grpc is required (got %d)", p, handlers)
	}
	for _, f := range []struct {
		name string
		v    int32
		min  int32
	}{{"initialDelaySeconds", pr.InitialDelaySeconds, 0}, {"timeoutSeconds", pr.TimeoutSeconds, 0}, {"periodSeconds", pr.PeriodSeconds, 0}, {"successThreshold", pr.SuccessThreshold, 0}, {"failureThreshold", pr.FailureThreshold, 0}} {
		if f.v < f.min {
			c.rep.add(o, "%s.%s must be >= %d", p, f.name, f.min)
		}
	}
	if kind != "readinessProbe" && pr.SuccessThreshold > 1 {
		c.rep.add(o, "%s.successThreshold must be 1 for a %s", p, kind)
	}
}

func (c *checker) probePort(o *object, p string, port intstr.IntOrString, portNames map[string]bool) {
	if port.Type == intstr.String {
		if port.StrVal == "" {
			c.rep.add(o, "%s is missing", p)
		} else if !portNames[port.StrVal] {
			c.rep.add(o, "%s: the container has no port named %q", p, port.StrVal)
		}
		return
	}
	if port.IntVal < 1 || port.IntVal > 65535 {
		c.rep.add(o, "%s: %d is not in 1..65535", p, port.IntVal)
	}
}

// varRefs lists the $(NAME) references Kubernetes expands in env values, command and args
// ($$ escapes a dollar).
func varRefs(s string) []string {
	var refs []string
	for i := 0; i < len(s)-1; i++ {
		if s[i] != '$' {
			continue
		}
		if s[i+1] == '$' {
			i++
			continue
		}
		if s[i+1] == '(' {
			if end := strings.IndexByte(s[i+2:], ')'); end >= 0 {
				refs = append(refs, s[i+2:i+2+end])
				i += 2 + end
			}
		}
	}
	return refs
}

func runAsNonRoot(pod *corev1.PodSpec, ct *corev1.Container) bool {
	if ct.SecurityContext != nil && ct.SecurityContext.RunAsNonRoot != nil {
		return *ct.SecurityContext.RunAsNonRoot
	}
	return pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot
}

func runAsUser(pod *corev1.PodSpec, ct *corev1.Container) *int64 {
	if ct.SecurityContext != nil && ct.SecurityContext.RunAsUser != nil {
		return ct.SecurityContext.RunAsUser
	}
	if pod.SecurityContext != nil {
		return pod.SecurityContext.RunAsUser
	}
	return nil
}

// podSecurity applies the Pod Security Standard "restricted" (which includes "baseline").
func (c *checker) podSecurity(o *object, path string, spec *corev1.PodSpec) {
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		c.rep.add(o, "%s: hostNetwork/hostPID/hostIPC are not allowed (restricted)", path)
	}
	for _, v := range spec.Volumes {
		s := v.VolumeSource
		if s.ConfigMap == nil && s.CSI == nil && s.DownwardAPI == nil && s.EmptyDir == nil && s.Ephemeral == nil &&
			s.PersistentVolumeClaim == nil && s.Projected == nil && s.Secret == nil {
			c.rep.add(o, "%s.volumes[%s]: volume type not allowed (restricted)", path, v.Name)
		}
	}
	var podSeccomp *corev1.SeccompProfile
	if spec.SecurityContext != nil {
		podSeccomp = spec.SecurityContext.SeccompProfile
	}
	all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for i := range all {
		ct := &all[i]
		p := fmt.Sprintf("%s.containers[%s].securityContext", path, ct.Name)
		sc := ct.SecurityContext
		if sc == nil {
			sc = &corev1.SecurityContext{}
		}
		if sc.Privileged != nil && *sc.Privileged {
			c.rep.add(o, "%s.privileged must not be true (restricted)", p)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			c.rep.add(o, "%s.allowPrivilegeEscalation must be false (restricted)", p)
		}
		if !runAsNonRoot(spec, ct) {
			c.rep.add(o, "%s.runAsNonRoot must be true, in the container or the pod (restricted)", p)
		}
		seccomp := sc.SeccompProfile
		if seccomp == nil {
			seccomp = podSeccomp
		}
		if seccomp == nil || (seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault && seccomp.Type != corev1.SeccompProfileTypeLocalhost) {
			c.rep.add(o, "%s.seccompProfile.type must be RuntimeDefault or Localhost, in the container or the pod (restricted)", p)
		}
		dropsAll := false
		if sc.Capabilities != nil {
			for _, d := range sc.Capabilities.Drop {
				if d == "ALL" {
					dropsAll = true
				}
			}
			for _, a := range sc.Capabilities.Add {
				if a != "NET_BIND_SERVICE" {
					c.rep.add(o, "%s.capabilities.add %q is not allowed (restricted)", p, a)
				}
			}
		}
		if !dropsAll {
			c.rep.add(o, "%s.capabilities.drop must include ALL (restricted)", p)
		}
		for _, port := range ct.Ports {
			if port.HostPort != 0 {
				c.rep.add(o, "%s: hostPort %d is not allowed", p, port.HostPort)
			}
		}
	}
}

func (c *checker) claim(o *object, p string, spec *corev1.PersistentVolumeClaimSpec) {
	if len(spec.AccessModes) == 0 {
		c.rep.add(o, "%s.accessModes: at least one is required", p)
	}
	storage, ok := spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		c.rep.add(o, "%s.resources.requests.storage is required", p)
	} else if storage.Sign() <= 0 {
		c.rep.add(o, "%s.resources.requests.storage must be > 0", p)
	}
}

// ---------------------------------------------------------------------------------------------
// Object metadata and cross references

func (c *checker) duplicates() {
	seen := map[string]*object{}
	for _, o := range c.objects {
		if o.Typed == nil || o.Name == "" {
			continue
		}
		key := o.GVK.Group + "/" + o.GVK.Kind + "/" + o.Namespace + "/" + o.Name
		if first, dup := seen[key]; dup {
			c.rep.add(o, "duplicate object: %s/%s already defined in %s", o.GVK.Kind, o.Name, first.Source)
			continue
		}
		seen[key] = o
	}
}

func (c *checker) metadata(o *object) {
	m, err := meta.Accessor(o.Typed)
	if err != nil {
		return
	}
	name := m.GetName()
	switch {
	case name == "" && m.GetGenerateName() == "":
		c.rep.add(o, "metadata.name is required")
	case name != "":
		var errs []string
		switch o.GVK.Kind {
		case "Service":
			errs = validation.IsDNS1035Label(name)
		case "Namespace":
			errs = validation.IsDNS1123Label(name)
		default:
			errs = validation.IsDNS1123Subdomain(name)
		}
		if len(errs) > 0 {
			c.rep.add(o, "metadata.name %q: %s", name, strings.Join(errs, "; "))
		}
	}
	if ns := m.GetNamespace(); ns != "" {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			c.rep.add(o, "metadata.namespace %q: %s", ns, strings.Join(errs, "; "))
		}
	}
	c.labelMap(o, "metadata.labels", m.GetLabels())
	for k := range m.GetAnnotations() {
		if errs := validation.IsQualifiedName(strings.ToLower(k)); len(errs) > 0 {
			c.rep.add(o, "metadata.annotations key %q: %s", k, strings.Join(errs, "; "))
		}
	}
	if w := c.workloadOf(o); w != nil {
		c.labelMap(o, "pod template labels", w.template.Labels)
	}
}

func (c *checker) labelMap(o *object, p string, l map[string]string) {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			c.rep.add(o, "%s key %q: %s", p, k, strings.Join(errs, "; "))
		}
		if errs := validation.IsValidLabelValue(l[k]); len(errs) > 0 {
			c.rep.add(o, "%s[%s] value %q: %s", p, k, l[k], strings.Join(errs, "; "))
		}
	}
}

func (c *checker) workloadOf(o *object) *workload {
	for _, w := range c.workloads {
		if w.o == o {
			return w
		}
	}
	return nil
}

func sameNamespace(a, b string) bool { return a == "" || b == "" || a == b }

func (c *checker) find(kind, ns, name string) *object {
	for _, o := range c.objects {
		if o.Typed != nil && o.GVK.Kind == kind && o.Name == name && sameNamespace(o.Namespace, ns) {
			return o
		}
	}
	return nil
}

// keysExist checks a ConfigMap/Secret reference against the object when the input contains it.
// A reference to an object outside the input (an existing Secret) cannot be checked offline.
func (c *checker) keysExist(o *object, p, kind, name string, keys []string, optional *bool) {
	if name == "" {
		c.rep.add(o, "%s: name is required", p)
		return
	}
	if !c.refs {
		return
	}
	target := c.find(kind, o.Namespace, name)
	if target == nil {
		return
	}
	have := map[string]bool{}
	switch t := target.Typed.(type) {
	case *corev1.ConfigMap:
		for k := range t.Data {
			have[k] = true
		}
		for k := range t.BinaryData {
			have[k] = true
		}
	case *corev1.Secret:
		for k := range t.Data {
			have[k] = true
		}
		for k := range t.StringData {
			have[k] = true
		}
	}
	for _, k := range keys {
		if !have[k] && (optional == nil || !*optional) {
			c.rep.add(o, "%s: %s %q has no key %q", p, kind, name, k)
		}
	}
}

// selecting returns the long-running workloads in namespace ns whose pod template labels match.
func (c *checker) selecting(ns string, sel labels.Selector) []*workload {
	var out []*workload
	for _, w := range c.workloads {
		if w.selectable && sameNamespace(w.o.Namespace, ns) && sel.Matches(labels.Set(w.template.Labels)) {
			out = append(out, w)
		}
	}
	return out
}

// ---------------------------------------------------------------------------------------------
// Services, config, autoscaling, disruption budgets, ingress

func (c *checker) service(o *object, s *corev1.Service) {
	if s.Spec.Type == corev1.ServiceTypeExternalName {
		if s.Spec.ExternalName == "" {
			c.rep.add(o, "spec.externalName is required for type ExternalName")
		}
		return
	}
	if len(s.Spec.Ports) == 0 && s.Spec.ClusterIP != corev1.ClusterIPNone {
		c.rep.add(o, "spec.ports: at least one port is required")
	}
	names, numbers := map[string]bool{}, map[string]bool{}
	for i, port := range s.Spec.Ports {
		p := fmt.Sprintf("spec.ports[%d]", i)
		if port.Port < 1 || port.Port > 65535 {
			c.rep.add(o, "%s.port: %d is not in 1..65535", p, port.Port)
		}
		if port.NodePort != 0 && (s.Spec.Type != corev1.ServiceTypeNodePort && s.Spec.Type != corev1.ServiceTypeLoadBalancer) {
			c.rep.add(o, "%s.nodePort is only allowed for NodePort and LoadBalancer services", p)
		}
		if port.TargetPort.Type == intstr.Int && port.TargetPort.IntVal != 0 && (port.TargetPort.IntVal < 1 || port.TargetPort.IntVal > 65535) {
			c.rep.add(o, "%s.targetPort: %d is not in 1..65535", p, port.TargetPort.IntVal)
		}
		if port.TargetPort.Type == intstr.String {
			if errs := validation.IsValidPortName(port.TargetPort.StrVal); len(errs) > 0 {
				c.rep.add(o, "%s.targetPort %q: %s", p, port.TargetPort.StrVal, strings.Join(errs, "; "))
			}
		}
		if len(s.Spec.Ports) > 1 && port.Name == "" {
			c.rep.add(o, "%s.name is required when a Service has more than one port", p)
		}
		if port.Name != "" {
			if errs := validation.IsDNS1123Label(port.Name); len(errs) > 0 {
				c.rep.add(o, "%s.name %q: %s", p, port.Name, strings.Join(errs, "; "))
			}
			if names[port.Name] {
				c.rep.add(o, "%s.name %q is used twice", p, port.Name)
			}
			names[port.Name] = true
		}
		key := fmt.Sprintf("%d/%s", port.Port, port.Protocol)
		if numbers[key] {
			c.rep.add(o, "%s.port %d is used twice", p, port.Port)
		}
		numbers[key] = true
	}
	if !c.refs || len(s.Spec.Selector) == 0 {
		return
	}
	matched := c.selecting(o.Namespace, labels.SelectorFromSet(s.Spec.Selector))
	if len(matched) == 0 {
		c.rep.add(o, "spec.selector (%s) selects no pods of any workload in the input", labels.Set(s.Spec.Selector).String())
		return
	}
	for i, port := range s.Spec.Ports {
		target := port.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(port.Port)
		}
		found := false
		for _, w := range matched {
			for _, ct := range w.template.Spec.Containers {
				for _, cp := range ct.Ports {
					if (target.Type == intstr.String && cp.Name == target.StrVal) || (target.Type == intstr.Int && cp.ContainerPort == target.IntVal) {
						found = true
					}
				}
			}
		}
		if !found {
			if target.Type == intstr.String {
				c.rep.add(o, "spec.ports[%d].targetPort %q: no selected container has a port with that name", i, target.StrVal)
			} else {
				c.rep.warn(o, "spec.ports[%d].targetPort %d: no selected container declares that port", i, target.IntVal)
			}
		}
	}
}

func (c *checker) configMap(o *object, cm *corev1.ConfigMap) {
	size := 0
	for k, v := range cm.Data {
		if errs := validation.IsConfigMapKey(k); len(errs) > 0 {
			c.rep.add(o, "data key %q: %s", k, strings.Join(errs, "; "))
		}
		if _, dup := cm.BinaryData[k]; dup {
			c.rep.add(o, "key %q is in both data and binaryData", k)
		}
		size += len(k) + len(v)
	}
	for k, v := range cm.BinaryData {
		if errs := validation.IsConfigMapKey(k); len(errs) > 0 {
			c.rep.add(o, "binaryData key %q: %s", k, strings.Join(errs, "; "))
		}
		size += len(k) + len(v)
	}
	if size > 1<<20 {
		c.rep.add(o, "data exceeds 1 MiB")
	}
}

func (c *checker) secret(o *object, s *corev1.Secret) {
	content := map[string][]byte{}
	for k, v := range s.Data {
		content[k] = v
	}
	for k, v := range s.StringData {
		content[k] = []byte(v)
	}
	for k := range content {
		if errs := validation.IsConfigMapKey(k); len(errs) > 0 {
			c.rep.add(o, "key %q: %s", k, strings.Join(errs, "; "))
		}
	}
	switch s.Type {
	case corev1.SecretTypeDockerConfigJson:
		raw, ok := content[corev1.DockerConfigJsonKey]
		if !ok {
			c.rep.add(o, "type %s needs the key %s", s.Type, corev1.DockerConfigJsonKey)
			return
		}
		var cfg struct {
			Auths map[string]map[string]any `json:"auths"`
		}
		if err := json.Unmarshal(raw, &cfg); err != nil || len(cfg.Auths) == 0 {
			c.rep.add(o, "%s is not a docker config with at least one entry in \"auths\"", corev1.DockerConfigJsonKey)
		}
	case corev1.SecretTypeTLS:
		for _, k := range []string{corev1.TLSCertKey, corev1.TLSPrivateKeyKey} {
			if _, ok := content[k]; !ok {
				c.rep.add(o, "type %s needs the key %s", s.Type, k)
			}
		}
	case corev1.SecretTypeBasicAuth, corev1.SecretTypeOpaque, "", corev1.SecretTypeSSHAuth, corev1.SecretTypeServiceAccountToken, corev1.SecretTypeBootstrapToken:
	default:
		if !strings.Contains(string(s.Type), "/") {
			c.rep.warn(o, "type %q is not a built-in Secret type", s.Type)
		}
	}
}

func (c *checker) hpaTarget(o *object, kind, name string, minReplicas *int32, maxReplicas int32) *workload {
	min := int32(1)
	if minReplicas != nil {
		min = *minReplicas
	}
	if min < 1 {
		c.rep.add(o, "spec.minReplicas must be >= 1 (got %d)", min)
	}
	if maxReplicas < 1 || maxReplicas < min {
		c.rep.add(o, "spec.maxReplicas (%d) must be >= 1 and >= minReplicas (%d)", maxReplicas, min)
	}
	if name == "" {
		c.rep.add(o, "spec.scaleTargetRef.name is required")
		return nil
	}
	if kind != "Deployment" && kind != "StatefulSet" && kind != "ReplicaSet" {
		c.rep.add(o, "spec.scaleTargetRef.kind %q is not a scalable workload this tool knows (Deployment, StatefulSet, ReplicaSet)", kind)
		return nil
	}
	if !c.refs {
		return nil
	}
	target := c.find(kind, o.Namespace, name)
	if target == nil {
		c.rep.add(o, "spec.scaleTargetRef: %s %q is not in the input", kind, name)
		return nil
	}
	w := c.workloadOf(target)
	if w != nil {
		if w.hpaMin != nil {
			c.rep.add(o, "spec.scaleTargetRef: %s %q is already managed by another HorizontalPodAutoscaler", kind, name)
		}
		w.hpaMin = &min
	}
	return w
}

func (c *checker) hpaV2(o *object, h *autoscalingv2.HorizontalPodAutoscaler) {
	ref := h.Spec.ScaleTargetRef
	w := c.hpaTarget(o, ref.Kind, ref.Name, h.Spec.MinReplicas, h.Spec.MaxReplicas)
	for i, m := range h.Spec.Metrics {
		p := fmt.Sprintf("spec.metrics[%d]", i)
		var target *autoscalingv2.MetricTarget
		var resName corev1.ResourceName
		container := ""
		switch m.Type {
		case autoscalingv2.ResourceMetricSourceType:
			if m.Resource == nil {
				c.rep.add(o, "%s.resource is required for type Resource", p)
				continue
			}
			target, resName = &m.Resource.Target, m.Resource.Name
		case autoscalingv2.ContainerResourceMetricSourceType:
			if m.ContainerResource == nil {
				c.rep.add(o, "%s.containerResource is required for type ContainerResource", p)
				continue
			}
			target, resName, container = &m.ContainerResource.Target, m.ContainerResource.Name, m.ContainerResource.Container
		case autoscalingv2.PodsMetricSourceType, autoscalingv2.ObjectMetricSourceType, autoscalingv2.ExternalMetricSourceType:
			continue
		default:
			c.rep.add(o, "%s.type %q is not Resource, ContainerResource, Pods, Object or External", p, m.Type)
			continue
		}
		if resName != corev1.ResourceCPU && resName != corev1.ResourceMemory {
			c.rep.add(o, "%s: resource %q is not cpu or memory", p, resName)
		}
		switch target.Type {
		case autoscalingv2.UtilizationMetricType:
			if target.AverageUtilization == nil || *target.AverageUtilization < 1 {
				c.rep.add(o, "%s.target.averageUtilization must be >= 1 for type Utilization", p)
			}
			// Utilization is relative to requests: a container without one makes the HPA fail.
			if w != nil {
				for _, ct := range w.template.Spec.Containers {
					if container != "" && ct.Name != container {
						continue
					}
					if _, ok := ct.Resources.Requests[resName]; !ok {
						c.rep.add(o, "%s: target %s %q container %q has no %s request, so %s utilization cannot be computed", p, w.o.GVK.Kind, w.o.Name, ct.Name, resName, resName)
					}
				}
			}
		case autoscalingv2.AverageValueMetricType:
			if target.AverageValue == nil {
				c.rep.add(o, "%s.target.averageValue is required for type AverageValue", p)
			}
		case autoscalingv2.ValueMetricType:
			if target.Value == nil {
				c.rep.add(o, "%s.target.value is required for type Value", p)
			}
		default:
			c.rep.add(o, "%s.target.type %q must be Utilization, AverageValue or Value", p, target.Type)
		}
	}
}

func (c *checker) pdb(o *object, p *policyv1.PodDisruptionBudget) {
	if (p.Spec.MinAvailable == nil) == (p.Spec.MaxUnavailable == nil) {
		c.rep.add(o, "spec: exactly one of minAvailable and maxUnavailable is required")
	}
	for _, f := range []struct {
		name string
		v    *intstr.IntOrString
	}{{"minAvailable", p.Spec.MinAvailable}, {"maxUnavailable", p.Spec.MaxUnavailable}} {
		if f.v == nil {
			continue
		}
		if _, err := intstr.GetScaledValueFromIntOrPercent(f.v, 100, true); err != nil || (f.v.Type == intstr.Int && f.v.IntVal < 0) {
			c.rep.add(o, "spec.%s %q must be a non-negative integer or a percentage", f.name, f.v.String())
		}
	}
	if p.Spec.Selector == nil || (len(p.Spec.Selector.MatchLabels) == 0 && len(p.Spec.Selector.MatchExpressions) == 0) {
		c.rep.add(o, "spec.selector is required (an empty selector matches every pod in the namespace)")
		return
	}
	sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
	if err != nil {
		c.rep.add(o, "spec.selector: %v", err)
		return
	}
	if !c.refs {
		return
	}
	matched := c.selecting(o.Namespace, sel)
	if len(matched) == 0 {
		c.rep.add(o, "spec.selector (%s) selects no pods of any workload in the input", sel.String())
		return
	}
	// A budget that can never allow an eviction blocks node drains forever.
	pods := int32(0)
	for _, w := range matched {
		switch {
		case w.hpaMin != nil:
			pods += *w.hpaMin
		case w.replicas != nil:
			pods += *w.replicas
		default:
			pods++
		}
	}
	allowed := int32(-1)
	if p.Spec.MinAvailable != nil {
		if n, err := intstr.GetScaledValueFromIntOrPercent(p.Spec.MinAvailable, int(pods), true); err == nil {
			allowed = pods - int32(n)
		}
	} else if p.Spec.MaxUnavailable != nil {
		if n, err := intstr.GetScaledValueFromIntOrPercent(p.Spec.MaxUnavailable, int(pods), false); err == nil {
			allowed = int32(n)
		}
	}
	if allowed == 0 || (allowed < 0 && p.Spec.MinAvailable != nil) {
		c.rep.add(o, "with %d selected pod(s) this budget allows no voluntary eviction (node drains would hang)", pods)
	}
}

func (c *checker) ingress(o *object, ing *networkingv1.Ingress) {
	ruleHosts := map[string]bool{}
	backend := func(p string, b *networkingv1.IngressBackend) {
		if (b.Service == nil) == (b.Resource == nil) {
			c.rep.add(o, "%s: exactly one of service and resource is required", p)
			return
		}
		if b.Service == nil {
			return
		}
		s := b.Service
		byName, byNumber := s.Port.Name != "", s.Port.Number != 0
		if byName == byNumber {
			c.rep.add(o, "%s.service.port: exactly one of name and number is required", p)
		}
		if byNumber && (s.Port.Number < 1 || s.Port.Number > 65535) {
			c.rep.add(o, "%s.service.port.number: %d is not in 1..65535", p, s.Port.Number)
		}
		if !c.refs {
			return
		}
		target := c.find("Service", o.Namespace, s.Name)
		if target == nil {
			c.rep.add(o, "%s.service: Service %q is not in the input", p, s.Name)
			return
		}
		svc := target.Typed.(*corev1.Service)
		for _, port := range svc.Spec.Ports {
			if (byName && port.Name == s.Port.Name) || (byNumber && port.Port == s.Port.Number) {
				return
			}
		}
		c.rep.add(o, "%s.service: Service %q has no port %s", p, s.Name, portLabel(s.Port))
	}
	if ing.Spec.DefaultBackend != nil {
		backend("spec.defaultBackend", ing.Spec.DefaultBackend)
	}
	if len(ing.Spec.Rules) == 0 && ing.Spec.DefaultBackend == nil {
		c.rep.add(o, "spec: rules or defaultBackend is required")
	}
	for i, r := range ing.Spec.Rules {
		p := fmt.Sprintf("spec.rules[%d]", i)
		if r.Host != "" {
			ruleHosts[r.Host] = true
			if errs := hostErrors(r.Host); len(errs) > 0 {
				c.rep.add(o, "%s.host %q: %s", p, r.Host, strings.Join(errs, "; "))
			}
		}
		if r.HTTP == nil {
			continue
		}
		if len(r.HTTP.Paths) == 0 {
			c.rep.add(o, "%s.http.paths: at least one path is required", p)
		}
		for j := range r.HTTP.Paths {
			path := &r.HTTP.Paths[j]
			pp := fmt.Sprintf("%s.http.paths[%d]", p, j)
			if path.PathType == nil {
				c.rep.add(o, "%s.pathType is required (Exact, Prefix or ImplementationSpecific)", pp)
			} else {
				switch *path.PathType {
				case networkingv1.PathTypeExact, networkingv1.PathTypePrefix:
					if !strings.HasPrefix(path.Path, "/") {
						c.rep.add(o, "%s.path %q must start with /", pp, path.Path)
					}
				case networkingv1.PathTypeImplementationSpecific:
				default:
					c.rep.add(o, "%s.pathType %q must be Exact, Prefix or ImplementationSpecific", pp, *path.PathType)
				}
			}
			backend(pp+".backend", &path.Backend)
		}
	}
	for i, t := range ing.Spec.TLS {
		for _, h := range t.Hosts {
			if errs := hostErrors(h); len(errs) > 0 {
				c.rep.add(o, "spec.tls[%d].hosts %q: %s", i, h, strings.Join(errs, "; "))
			} else if len(ruleHosts) > 0 && !ruleHosts[h] {
				c.rep.warn(o, "spec.tls[%d].hosts %q does not appear in any rule", i, h)
			}
		}
	}
}

func portLabel(p networkingv1.ServiceBackendPort) string {
	if p.Name != "" {
		return fmt.Sprintf("named %q", p.Name)
	}
	return fmt.Sprintf("%d", p.Number)
}

func hostErrors(h string) []string {
	if strings.HasPrefix(h, "*.") {
		return validation.IsWildcardDNS1123Subdomain(h)
	}
	if errs := validation.IsDNS1123Subdomain(h); len(errs) > 0 {
		return errs
	}
	return nil
}

func isZero(v *intstr.IntOrString) bool {
	if v == nil {
		return false
	}
	return (v.Type == intstr.Int && v.IntVal == 0) || (v.Type == intstr.String && v.StrVal == "0%")
}

// ---------------------------------------------------------------------------------------------
// Istio

// resolveHost finds the Service an Istio host names: "name", "name.ns" or "name.ns.svc[.domain]".
// External or wildcard hosts return (nil, false): nothing to check.
func (c *checker) resolveHost(o *object, host string) (*object, bool) {
	if host == "" || strings.Contains(host, "*") {
		return nil, false
	}
	parts := strings.Split(host, ".")
	name, ns := parts[0], o.Namespace
	switch {
	case len(parts) == 1:
	case len(parts) == 2:
		ns = parts[1]
	case parts[2] == "svc":
		ns = parts[1]
	default:
		return nil, false // an external host (ServiceEntry territory)
	}
	return c.find("Service", ns, name), true
}

func (c *checker) destination(o *object, p string, d *apinet.Destination) {
	if d == nil {
		c.rep.add(o, "%s is required", p)
		return
	}
	if d.GetHost() == "" {
		c.rep.add(o, "%s.host is required", p)
		return
	}
	if d.GetPort() != nil && (d.GetPort().GetNumber() < 1 || d.GetPort().GetNumber() > 65535) {
		c.rep.add(o, "%s.port.number: %d is not in 1..65535", p, d.GetPort().GetNumber())
	}
	if !c.refs {
		return
	}
	svcObj, internal := c.resolveHost(o, d.GetHost())
	if !internal {
		return
	}
	if svcObj == nil {
		c.rep.add(o, "%s.host %q: no such Service in the input", p, d.GetHost())
		return
	}
	svc := svcObj.Typed.(*corev1.Service)
	if d.GetPort() == nil {
		if len(svc.Spec.Ports) > 1 {
			c.rep.add(o, "%s.port is required: Service %q has more than one port", p, svc.Name)
		}
		return
	}
	for _, port := range svc.Spec.Ports {
		if uint32(port.Port) == d.GetPort().GetNumber() {
			return
		}
	}
	c.rep.add(o, "%s.port.number %d: Service %q has no such port", p, d.GetPort().GetNumber(), svc.Name)
}

func (c *checker) trafficPolicy(o *object, p string, tp *apinet.TrafficPolicy) {
	if tp == nil {
		return
	}
	if cp := tp.GetConnectionPool(); cp != nil {
		for _, f := range []struct {
			name string
			v    int32
		}{
			{"tcp.maxConnections", cp.GetTcp().GetMaxConnections()},
			{"http.http1MaxPendingRequests", cp.GetHttp().GetHttp1MaxPendingRequests()},
			{"http.http2MaxRequests", cp.GetHttp().GetHttp2MaxRequests()},
			{"http.maxRequestsPerConnection", cp.GetHttp().GetMaxRequestsPerConnection()},
			{"http.maxRetries", cp.GetHttp().GetMaxRetries()},
		} {
			if f.v < 0 {
				c.rep.add(o, "%s.connectionPool.%s must be >= 0 (got %d)", p, f.name, f.v)
			}
		}
	}
	if od := tp.GetOutlierDetection(); od != nil {
		if v := od.GetMaxEjectionPercent(); v < 0 || v > 100 {
			c.rep.add(o, "%s.outlierDetection.maxEjectionPercent: %d is not in 0..100", p, v)
		}
		if v := od.GetMinHealthPercent(); v < 0 || v > 100 {
			c.rep.add(o, "%s.outlierDetection.minHealthPercent: %d is not in 0..100", p, v)
		}
		if d := od.GetInterval(); d != nil && d.AsDuration() < 1e6 {
			c.rep.add(o, "%s.outlierDetection.interval must be at least 1ms", p)
		}
		if d := od.GetBaseEjectionTime(); d != nil && d.AsDuration() < 1e6 {
			c.rep.add(o, "%s.outlierDetection.baseEjectionTime must be at least 1ms", p)
		}
	}
	for i, pl := range tp.GetPortLevelSettings() {
		pp := fmt.Sprintf("%s.portLevelSettings[%d]", p, i)
		if n := pl.GetPort().GetNumber(); n < 1 || n > 65535 {
			c.rep.add(o, "%s.port.number: %d is not in 1..65535", pp, n)
		}
		c.trafficPolicy(o, pp, &apinet.TrafficPolicy{ConnectionPool: pl.GetConnectionPool(), OutlierDetection: pl.GetOutlierDetection()})
	}
}

func (c *checker) destinationRule(o *object, dr *apinet.DestinationRule) {
	if dr.GetHost() == "" {
		c.rep.add(o, "spec.host is required")
	} else if c.refs {
		if svc, internal := c.resolveHost(o, dr.GetHost()); internal && svc == nil {
			c.rep.add(o, "spec.host %q: no such Service in the input", dr.GetHost())
		}
	}
	c.trafficPolicy(o, "spec.trafficPolicy", dr.GetTrafficPolicy())
	subsets := map[string]bool{}
	for i, s := range dr.GetSubsets() {
		p := fmt.Sprintf("spec.subsets[%d]", i)
		if s.GetName() == "" {
			c.rep.add(o, "%s.name is required", p)
		}
		if subsets[s.GetName()] {
			c.rep.add(o, "%s.name %q is used twice", p, s.GetName())
		}
		subsets[s.GetName()] = true
		c.trafficPolicy(o, p+".trafficPolicy", s.GetTrafficPolicy())
	}
}

func (c *checker) virtualService(o *object, vs *apinet.VirtualService) {
	if len(vs.GetHosts()) == 0 {
		c.rep.add(o, "spec.hosts: at least one host is required")
	}
	for i, h := range vs.GetHosts() {
		if h == "" {
			c.rep.add(o, "spec.hosts[%d] must not be empty", i)
		}
	}
	if len(vs.GetHttp()) == 0 && len(vs.GetTcp()) == 0 && len(vs.GetTls()) == 0 {
		c.rep.add(o, "spec: at least one http, tcp or tls route is required")
	}
	for i, r := range vs.GetHttp() {
		p := fmt.Sprintf("spec.http[%d]", i)
		for j, m := range r.GetMatch() {
			if u := m.GetUri(); u != nil && u.GetPrefix() != "" && !strings.HasPrefix(u.GetPrefix(), "/") {
				c.rep.add(o, "%s.match[%d].uri.prefix %q must start with /", p, j, u.GetPrefix())
			}
		}
		if len(r.GetRoute()) == 0 && r.GetRedirect() == nil && r.GetDirectResponse() == nil && r.GetDelegate() == nil {
			c.rep.add(o, "%s: route, redirect, directResponse or delegate is required", p)
		}
		sum := int32(0)
		for j, d := range r.GetRoute() {
			c.destination(o, fmt.Sprintf("%s.route[%d].destination", p, j), d.GetDestination())
			if d.GetWeight() < 0 || d.GetWeight() > 100 {
				c.rep.add(o, "%s.route[%d].weight: %d is not in 0..100", p, j, d.GetWeight())
			}
			sum += d.GetWeight()
		}
		if len(r.GetRoute()) > 1 && sum != 100 {
			c.rep.add(o, "%s.route: the weights add up to %d, not 100", p, sum)
		}
		if r.GetMirror() != nil {
			c.destination(o, p+".mirror", r.GetMirror())
		}
		if mp := r.GetMirrorPercentage(); mp != nil && (mp.GetValue() < 0 || mp.GetValue() > 100) {
			c.rep.add(o, "%s.mirrorPercentage.value: %g is not in 0..100", p, mp.GetValue())
		}
		if r.GetMirrorPercentage() != nil && r.GetMirror() == nil {
			c.rep.add(o, "%s.mirrorPercentage without mirror has no effect", p)
		}
		for j, m := range r.GetMirrors() {
			c.destination(o, fmt.Sprintf("%s.mirrors[%d].destination", p, j), m.GetDestination())
			if pc := m.GetPercentage(); pc != nil && (pc.GetValue() < 0 || pc.GetValue() > 100) {
				c.rep.add(o, "%s.mirrors[%d].percentage.value: %g is not in 0..100", p, j, pc.GetValue())
			}
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Prometheus Operator

// serviceMonitor: a selector that selects Services of the input (in its namespace unless
// namespaceSelector says otherwise), and endpoints naming a port every selected Service has:
// the operator silently scrapes nothing otherwise.
func (c *checker) serviceMonitor(o *object, m *monitoringv1.ServiceMonitor) {
	if len(m.Spec.Endpoints) == 0 {
		c.rep.add(o, "spec.endpoints: at least one endpoint is required")
	}
	sel, err := metav1.LabelSelectorAsSelector(&m.Spec.Selector)
	if err != nil {
		c.rep.add(o, "spec.selector: %v", err)
		return
	}
	if sel.Empty() {
		c.rep.add(o, "spec.selector is required (an empty selector matches every Service)")
		return
	}
	if !c.refs || m.Spec.NamespaceSelector.Any || len(m.Spec.NamespaceSelector.MatchNames) > 0 {
		return
	}
	var selected []*corev1.Service
	for _, other := range c.objects {
		if svc, ok := other.Typed.(*corev1.Service); ok && other.Namespace == o.Namespace && sel.Matches(labels.Set(svc.Labels)) {
			selected = append(selected, svc)
		}
	}
	if len(selected) == 0 {
		c.rep.add(o, "spec.selector (%s) selects no Service in the input", sel.String())
		return
	}
	for i, e := range m.Spec.Endpoints {
		if e.Port == "" {
			continue
		}
		for _, svc := range selected {
			found := false
			for _, port := range svc.Spec.Ports {
				found = found || port.Name == e.Port
			}
			if !found {
				c.rep.add(o, "spec.endpoints[%d].port %q is not a port name of Service %s", i, e.Port, svc.Name)
			}
		}
	}
}
