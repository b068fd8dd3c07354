// Checks of docker/ and deploy/k8s/ that no schema makes: docker/check runs it after the schema validators.
//   node validate.mjs k8s <dir>                        every manifest against the Kubernetes OpenAPI schemas
//                                                      (kubernetes-models), then the references between them
//   node validate.mjs compose <docker dir>             references inside compose.yaml and to the files it mounts
//   node validate.mjs dashboards <docker dir> <out>    Grafana provisioning and dashboards; writes every panel
//                                                      query as a recording rule to <out> for promtool
// Prints one line per problem and exits 1 if there was any.
import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments, parse } from "yaml";

const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);

function readYamlDocs(file) {
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
  const out = [];
  for (const doc of docs) {
    if (doc.errors.length) {
      doc.errors.forEach((e) => problem(file, `YAML: ${e.message}`));
      continue;
    }
    const value = doc.toJS();
    if (value != null) out.push(value);
  }
  return out;
}

// --- Kubernetes ---------------------------------------------------------------------------------------------

async function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const module = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  try {
    return (await import(module))[kind];
  } catch {
    return undefined;
  }
}

async function checkK8s(dir) {
  const objects = [];
  for (const name of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const file = path.join(dir, name);
    for (const obj of readYamlDocs(file)) {
      const where = `${name} ${obj.kind ?? "?"}/${obj.metadata?.name ?? "?"}`;
      const Model = obj.apiVersion && obj.kind ? await modelClass(obj.apiVersion, obj.kind) : undefined;
      if (!Model) {
        problem(where, `no schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`);
        continue;
      }
      try {
        new Model(obj).validate();
      } catch (e) {
        problem(where, `schema: ${e.message}`);
      }
      objects.push({ where, obj });
    }
  }
  const find = (kind, name) => objects.find((o) => o.obj.kind === kind && o.obj.metadata?.name === name)?.obj;
  const matches = (selector, labels) =>
    Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v) && Object.keys(selector ?? {}).length > 0;

  for (const { where, obj } of objects) {
    if (obj.kind === "Deployment") {
      const pod = obj.spec.template;
      if (!matches(obj.spec.selector?.matchLabels, pod.metadata?.labels)) {
        problem(where, "selector.matchLabels does not match the pod template's labels");
      }
      const spec = pod.spec;
      if (spec.serviceAccountName && !find("ServiceAccount", spec.serviceAccountName)) {
        problem(where, `serviceAccountName ${spec.serviceAccountName} is not defined`);
      }
      const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
      for (const v of volumes.values()) {
        if (v.configMap && !find("ConfigMap", v.configMap.name)) {
          problem(where, `volume ${v.name}: ConfigMap ${v.configMap.name} is not defined`);
        }
        if (v.secret && !find("Secret", v.secret.secretName)) {
          problem(where, `volume ${v.name}: Secret ${v.secret.secretName} is not defined`);
        }
      }
      for (const c of spec.containers) {
        const ports = new Set((c.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
        for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
          const port = c[probe]?.httpGet?.port;
          if (port !== undefined && !ports.has(port)) {
            problem(where, `${c.name} ${probe}: port ${port} is not declared`);
          }
        }
        for (const m of c.volumeMounts ?? []) {
          const v = volumes.get(m.name);
          if (!v) {
            problem(where, `${c.name}: volumeMount ${m.name} has no volume`);
          } else if (m.subPath && v.configMap) {
            const cm = find("ConfigMap", v.configMap.name);
            if (cm && !(m.subPath in (cm.data ?? {}))) {
              problem(where, `${c.name}: ConfigMap ${cm.metadata.name} has no key ${m.subPath}`);
            }
          }
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
          if (!ref) continue;
          const kind = e.valueFrom.secretKeyRef ? "Secret" : "ConfigMap";
          const target = find(kind, ref.name);
          const keys = { ...(target?.data ?? {}), ...(target?.stringData ?? {}) };
          if (!target) problem(where, `${c.name} env ${e.name}: ${kind} ${ref.name} is not defined`);
          else if (!(ref.key in keys)) {
            problem(where, `${c.name} env ${e.name}: ${kind} ${ref.name} has no key ${ref.key}`);
          }
        }
        const sc = { ...(spec.securityContext ?? {}), ...(c.securityContext ?? {}) };
        if (sc.runAsNonRoot !== true) problem(where, `${c.name}: runAsNonRoot is not true`);
        if (sc.readOnlyRootFilesystem !== true) problem(where, `${c.name}: readOnlyRootFilesystem is not true`);
      }
    }
    if (obj.kind === "Service" || obj.kind === "PodDisruptionBudget") {
      const selector = obj.kind === "Service" ? obj.spec.selector : obj.spec.selector?.matchLabels;
      const pods = objects.filter((o) =>
        o.obj.kind === "Deployment" && matches(selector, o.obj.spec.template.metadata?.labels));
      if (pods.length === 0) problem(where, "selector matches no Deployment's pods");
      if (obj.kind === "Service") {
        for (const p of obj.spec.ports ?? []) {
          const declared = pods.some((d) => d.obj.spec.template.spec.containers.some((c) =>
            (c.ports ?? []).some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)));
          if (!declared) problem(where, `targetPort ${p.targetPort} is no container port of the selected pods`);
        }
      }
    }
    if (obj.kind === "HorizontalPodAutoscaler" && !find(obj.spec.scaleTargetRef.kind, obj.spec.scaleTargetRef.name)) {
      problem(where, `scaleTargetRef ${obj.spec.scaleTargetRef.kind}/${obj.spec.scaleTargetRef.name} is not defined`);
    }
    if (obj.kind === "RoleBinding") {
      if (!find(obj.roleRef.kind, obj.roleRef.name)) problem(where, `roleRef ${obj.roleRef.name} is not defined`);
      for (const s of obj.subjects ?? []) {
        if (s.kind === "ServiceAccount" && !find("ServiceAccount", s.name)) {
          problem(where, `subject ${s.name} is not defined`);
        }
      }
    }
    if (obj.kind === "ConfigMap") {
      for (const [key, value] of Object.entries(obj.data ?? {})) {
        if (/\.ya?ml$/.test(key)) {
          try {
            parse(value);
          } catch (e) {
            problem(where, `${key} is not valid YAML: ${e.message}`);
          }
        }
      }
    }
  }
  console.log(`  ${objects.length} Kubernetes objects checked`);
}

// --- compose ------------------------------------------------------------------------------------------------

function checkCompose(dir) {
  const file = path.join(dir, "compose.yaml");
  const compose = readYamlDocs(file)[0];
  const services = compose.services ?? {};
  const secrets = compose.secrets ?? {};
  const volumes = compose.volumes ?? {};
  const initSecrets = fs.readFileSync(path.join(dir, "init-secrets"), "utf8");
  for (const [name, s] of Object.entries(secrets)) {
    if (!s.file?.startsWith("./secrets/")) problem(`compose secret ${name}`, "file is not under ./secrets/");
    else if (!new RegExp(`^make ${path.basename(s.file)} `, "m").test(initSecrets)) {
      problem(`compose secret ${name}`, `init-secrets does not create ${s.file}`);
    }
  }
  for (const [name, svc] of Object.entries(services)) {
    const where = `compose service ${name}`;
    const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
    for (const d of deps) if (!services[d]) problem(where, `depends_on ${d}: no such service`);
    for (const [d, cond] of Object.entries(Array.isArray(svc.depends_on) ? {} : svc.depends_on ?? {})) {
      if (cond.condition === "service_healthy" && !services[d]?.healthcheck) {
        problem(where, `waits for ${d} to be healthy, but ${d} has no healthcheck`);
      }
    }
    for (const s of svc.secrets ?? []) {
      const source = typeof s === "string" ? s : s.source;
      if (!secrets[source]) problem(where, `secret ${source} is not declared`);
    }
    for (const v of svc.volumes ?? []) {
      const source = typeof v === "string" ? v.split(":")[0] : v.source;
      if (source.startsWith(".") || source.startsWith("/")) {
        if (!fs.existsSync(path.resolve(dir, source))) problem(where, `mounts ${source}, which does not exist`);
      } else if (!(source in volumes)) {
        problem(where, `volume ${source} is not declared`);
      }
    }
    if (svc.build) {
      const context = path.resolve(dir, svc.build.context ?? ".");
      const dockerfile = path.resolve(context, svc.build.dockerfile ?? "Dockerfile");
      if (!fs.existsSync(dockerfile)) problem(where, `build: ${dockerfile} does not exist`);
    }
  }
  // Prometheus reads its bearer token from the secret Caravan takes its gateway token from.
  const prom = readYamlDocs(path.join(dir, "prometheus", "prometheus.yml"))[0];
  const tokenFiles = (services.prometheus?.secrets ?? [])
    .filter((s) => (s.source ?? s) === "caravan_auth_token")
    .map((s) => `/run/secrets/${s.target ?? s.source ?? s}`);
  for (const job of prom.scrape_configs.filter((j) => j.job_name === "caravan")) {
    const credentials = job.authorization?.credentials_file;
    if (!tokenFiles.includes(credentials)) {
      problem("prometheus.yml job caravan", `credentials_file ${credentials} is not the caravan_auth_token secret`);
    }
  }
  const mounted = (services.prometheus?.volumes ?? []).map((v) => v.split(":")[1]);
  for (const rules of prom.rule_files ?? []) {
    if (!mounted.includes(path.posix.join("/etc/prometheus", rules))) {
      problem("prometheus.yml", `rule file ${rules} is not mounted next to the configuration`);
    }
  }
  console.log(`  ${Object.keys(services).length} compose services checked`);
}

// --- Grafana ------------------------------------------------------------------------------------------------

// Grafana's own variables, replaced by what Grafana would put there, so the query parses as PromQL.
const GRAFANA_VARIABLES = { $__rate_interval: "5m", $__interval: "1m", $__range: "1h" };

function checkDashboards(dir, out) {
  const grafana = path.join(dir, "grafana");
  const datasources = readYamlDocs(path.join(grafana, "provisioning", "datasources", "prometheus.yaml"))[0].datasources;
  const uids = new Set(datasources.map((d) => d.uid));
  const compose = readYamlDocs(path.join(dir, "compose.yaml"))[0];
  const grafanaVolumes = compose.services.grafana.volumes ?? [];
  const mounts = Object.fromEntries(grafanaVolumes.map((v) => v.split(":").slice(0, 2).reverse()));
  const providers = readYamlDocs(path.join(grafana, "provisioning", "dashboards", "dashboards.yaml"))[0].providers;
  for (const p of providers) {
    if (!mounts[p.options.path]) problem(`dashboard provider ${p.name}`, `path ${p.options.path} is not mounted`);
  }
  const rules = [];
  const dashboards = path.join(grafana, "dashboards");
  for (const name of fs.readdirSync(dashboards).filter((f) => f.endsWith(".json"))) {
    let dash;
    try {
      dash = JSON.parse(fs.readFileSync(path.join(dashboards, name), "utf8"));
    } catch (e) {
      problem(name, `not JSON: ${e.message}`);
      continue;
    }
    if (!dash.uid || !dash.title) problem(name, "no uid or title");
    const ids = new Set();
    const panels = (dash.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
    for (const panel of panels) {
      const where = `${name} panel ${panel.id} "${panel.title}"`;
      if (ids.has(panel.id)) problem(where, "duplicate panel id");
      ids.add(panel.id);
      if (panel.type === "row") continue;
      for (const ds of [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]) {
        if (ds && !uids.has(ds.uid)) problem(where, `datasource uid ${ds.uid} is not provisioned`);
      }
      if (!(panel.targets ?? []).length) problem(where, "no query");
      for (const t of panel.targets ?? []) {
        let expr = t.expr ?? "";
        for (const [variable, value] of Object.entries(GRAFANA_VARIABLES)) expr = expr.split(variable).join(value);
        if (expr.includes("$")) problem(where, `query ${t.refId} uses a variable the check does not know: ${t.expr}`);
        rules.push({ record: `dashboard:panel${panel.id}:${t.refId}`, expr });
      }
    }
  }
  fs.writeFileSync(out, JSON.stringify({ groups: [{ name: "dashboard-queries", rules }] }, null, 2));
  console.log(`  ${rules.length} dashboard queries written to ${out}`);
}

const [command, ...args] = process.argv.slice(2);
if (command === "k8s") await checkK8s(args[0]);
else if (command === "compose") checkCompose(args[0]);
else if (command === "dashboards") checkDashboards(args[0], args[1]);
else {
  console.error("usage: validate.mjs k8s <dir> | compose <docker dir> | dashboards <docker dir> <rules out>");
  process.exit(2);
}
problems.forEach((p) => console.log(`  FAIL ${p}`));
process.exit(problems.length ? 1 : 0);
