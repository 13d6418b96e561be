// Validates rendered Kubernetes manifests (multi-document YAML, e.g. `kubectl kustomize` output) against the
// Kubernetes API's OpenAPI schemas, as compiled into the kubernetes-models package: types, required fields,
// enums and formats. Prints one line per object and exits 1 if any object is invalid or of an unknown kind.
//   node validate.mjs rendered.yaml [more.yaml ...]
import { readFile } from "node:fs/promises";
import { parseAllDocuments } from "yaml";

let invalid = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const documents = parseAllDocuments(await readFile(file, "utf8"));
  for (const document of documents) {
    if (document.errors.length > 0) {
      console.log(`INVALID ${file}: YAML: ${document.errors.map((e) => e.message).join("; ")}`);
      invalid++;
      continue;
    }

    const object = document.toJS();
    if (object === null) {
      continue;
    }

    // kustomize wraps long base64 values at 76 characters; the API server's base64 decoder skips line breaks,
    // the schema's "byte" format does not.
    if (object.kind === "Secret" && object.data) {
      for (const key of Object.keys(object.data)) {
        object.data[key] = String(object.data[key]).replace(/\s+/g, "");
      }
    }

    const name = `${object.kind}/${object.metadata?.name} (${object.apiVersion})`;
    let model;
    try {
      model = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`))[object.kind];
    } catch {
      model = undefined;
    }

    checked++;
    if (model === undefined) {
      console.log(`INVALID ${file}: ${name}: no such kind in the Kubernetes API`);
      invalid++;
      continue;
    }

    try {
      new model(object).validate();
      console.log(`valid   ${file}: ${name}`);
    } catch (error) {
      console.log(`INVALID ${file}: ${name}: ${error.message}`);
      invalid++;
    }
  }
}

console.log(`${checked} objects checked, ${invalid} invalid`);
process.exit(invalid === 0 && checked > 0 ? 0 : 1);
