import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import type Docker from "dockerode";
import { CONFIG_FILE_NAMES } from "./config.ts";
import { IacError } from "./errors.ts";

export const INIT_CONFIG_FILE = "mcp-iac.config.yaml";

const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
const PING_TIMEOUT_MS = 2_000;

export interface InitOptions {
  /** The working folder the config is written to. */
  cwd: string;
  /** Overwrite an existing mcp-iac.config.yaml. */
  force?: boolean;
  /** Where to look for a Docker engine; default DOCKER_HOST, else the default socket. */
  dockerHost?: string;
  /** Work out the content but write nothing. */
  dryRun?: boolean;
  /** Where to look for AWS credentials; default process.env (and the SDK's files under ~/.aws). */
  env?: NodeJS.ProcessEnv;
}

export interface InitResult {
  /** The absolute path of the config. */
  file: string;
  written: boolean;
  dockerAnswers: boolean;
  /** The engine address that was tried. */
  dockerWhere: string;
  /** Why the engine did not answer, when it did not. */
  dockerProblem?: string;
  /** OPNSENSE_URL, OPNSENSE_API_KEY and OPNSENSE_API_SECRET are set: the real OPNsense provider serves. */
  opnsenseFromEnv?: boolean;
  /** The kubeconfig the real Kubernetes provider will use, when one was found. */
  kubeconfig?: string;
  /** Where AWS credentials were found (the real AWS provider is configured), when they were. */
  awsCredentials?: string;
  content: string;
}

/** Where the AWS SDK's default chain would find credentials, or undefined (nothing is read or sent). */
export function awsCredentialSource(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env["AWS_ACCESS_KEY_ID"] && env["AWS_SECRET_ACCESS_KEY"]) return "AWS_ACCESS_KEY_ID";
  if (env["AWS_PROFILE"]) return `AWS_PROFILE=${env["AWS_PROFILE"]}`;
  if (env["AWS_WEB_IDENTITY_TOKEN_FILE"]) return "AWS_WEB_IDENTITY_TOKEN_FILE";
  if (env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] || env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"])
    return "the container credentials endpoint";
  const home = env["HOME"] ?? homedir();
  for (const file of [env["AWS_SHARED_CREDENTIALS_FILE"], join(home, ".aws", "credentials")])
    if (file && existsSync(file)) return file;
  return undefined;
}

function dockerClient(DockerClass: typeof Docker, host: string): Docker {
  if (host.startsWith("unix://")) return new DockerClass({ socketPath: host.slice("unix://".length) });
  if (host.startsWith("/")) return new DockerClass({ socketPath: host });
  const url = new URL(/^[a-z]+:\/\//.test(host) ? host : `tcp://${host}`);
  if (url.protocol !== "tcp:" && url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`${url.protocol}// addresses are not supported; use unix:// or tcp://`);
  return new DockerClass({
    host: url.hostname,
    port: Number(url.port || (url.protocol === "https:" ? 2376 : 2375)),
    protocol: url.protocol === "https:" ? "https" : "http",
  });
}

/** Whether a Docker engine answers at `host`: undefined when it does, else the reason it does not. */
export async function dockerEngineProblem(host: string): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      // dockerode (and its ssh and gRPC stacks) loads only when `agent init` asks an engine.
      dockerClient((await import("dockerode")).default, host).ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)),
          PING_TIMEOUT_MS,
        );
      }),
    ]);
    return undefined;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return code ?? message ?? String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `agent init`: writes mcp-iac.config.yaml for this machine (design §7): the real Docker provider when
 * an engine answers, the local provider, the mock for the prefixes with nothing real behind them, and
 * commented stanzas showing how to connect the real ones. Written as text so the comments survive.
 */
export async function initConfig(options: InitOptions): Promise<InitResult> {
  const cwd = resolve(options.cwd);
  const file = join(cwd, INIT_CONFIG_FILE);
  refuseExisting(cwd, file, options.force === true);

  const dockerWhere = options.dockerHost || process.env.DOCKER_HOST || DEFAULT_DOCKER_HOST;
  const dockerProblem = await dockerEngineProblem(dockerWhere);
  const awsCredentials = awsCredentialSource(options.env);
  const opnsenseFromEnv = ["OPNSENSE_URL", "OPNSENSE_API_KEY", "OPNSENSE_API_SECRET"].every(
    (name) => process.env[name],
  );
  const kubeconfig = findKubeconfig();
  const content = renderConfig({
    dockerWhere,
    dockerProblem,
    opnsenseFromEnv,
    kubeconfig,
    awsCredentials,
    // A non-default engine is pinned, so the config works from a shell without DOCKER_HOST too.
    pinDockerHost: dockerWhere !== DEFAULT_DOCKER_HOST,
  });

  if (!options.dryRun) {
    try {
      // "wx" refuses a file that appeared since the check above.
      await writeFile(file, content, { flag: options.force ? "w" : "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") refuseExisting(cwd, file, false);
      throw new IacError("INIT_WRITE_FAILED", `cannot write ${file}: ${(error as Error).message}`, {
        exitCode: 2,
        hint: "check that the folder exists and is writable, or pass --cwd DIR",
      });
    }
  }
  return {
    file,
    written: !options.dryRun,
    dockerAnswers: dockerProblem === undefined,
    dockerWhere,
    ...(dockerProblem === undefined ? {} : { dockerProblem }),
    ...(opnsenseFromEnv ? { opnsenseFromEnv } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(awsCredentials === undefined ? {} : { awsCredentials }),
    content,
  };
}

function refuseExisting(cwd: string, file: string, force: boolean): void {
  const other = CONFIG_FILE_NAMES.filter((name) => name !== INIT_CONFIG_FILE).find((name) =>
    existsSync(join(cwd, name)),
  );
  if (other) {
    // Two config files in one folder is itself a config error, so --force cannot help here.
    throw new IacError("CONFIG_EXISTS", `${join(cwd, other)} already configures this folder`, {
      exitCode: 2,
      hint: `move or delete ${other} first; agent init writes ${INIT_CONFIG_FILE}`,
    });
  }
  if (!force && existsSync(file)) {
    throw new IacError("CONFIG_EXISTS", `${file} already exists; agent init leaves it as it is`, {
      exitCode: 2,
      hint: "run `agent init --force` to replace it",
    });
  }
}

/** Human lines saying what `agent init` did, for the one-shot printer. */
export function initSummary(result: InitResult): string[] {
  const lines = [
    result.written ? `Wrote ${result.file}.` : `Would write ${result.file}.`,
    result.dockerAnswers
      ? `  docker      the real Docker provider (an engine answers at ${result.dockerWhere})`
      : `  docker      the mock: no Docker engine answers at ${result.dockerWhere} (${result.dockerProblem ?? "no answer"})`,
    "  local       the local provider: files, commands and services on this machine",
    result.opnsenseFromEnv
      ? "  opnsense    the real OPNsense provider (OPNSENSE_URL and the API key are set)"
      : "  opnsense    the mock; the file shows how to connect a firewall",
    result.kubeconfig
      ? `  kubernetes  the real Kubernetes provider (kubeconfig ${result.kubeconfig})`
      : "  kubernetes  the mock: no kubeconfig found; the file shows how to connect a cluster",
    result.awsCredentials
      ? `  aws         the real AWS provider (Cloud Control; credentials from ${result.awsCredentials})`
      : "  aws         the mock: no AWS credentials found; the file shows how to connect",
  ];
  if (!result.dockerAnswers)
    lines.push("Start a Docker engine (or set DOCKER_HOST) and run `agent init --force` to use it.");
  lines.push("`agent providers` checks what the config serves.");
  return lines;
}

interface RenderInput {
  dockerWhere: string;
  dockerProblem: string | undefined;
  awsCredentials?: string | undefined;
  pinDockerHost: boolean;
  opnsenseFromEnv?: boolean;
  /** Where a kubeconfig was found, when one was. */
  kubeconfig: string | undefined;
}

/** The kubeconfig the Kubernetes provider would load: KUBECONFIG, ~/.kube/config, or in-cluster. */
export function findKubeconfig(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const listed = (env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  const found = listed.find((path) => existsSync(path));
  if (found) return found;
  if (listed.length === 0 && existsSync(join(homedir(), ".kube", "config")))
    return join(homedir(), ".kube", "config");
  const token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  if (env.KUBERNETES_SERVICE_HOST && existsSync(token)) return "in-cluster service account";
  return undefined;
}

function kubernetesStanza(input: RenderInput): string[] {
  if (input.kubeconfig)
    return [
      `  # A kubeconfig was found (${input.kubeconfig}): the real Kubernetes provider manages its current`,
      "  # context. KUBE_CONTEXT in env picks another; a second cluster is a second entry under its own name.",
      "  kubernetes: { builtin: kubernetes }",
    ];
  return [
    "  # Kubernetes: no kubeconfig was found (KUBECONFIG, ~/.kube/config, in-cluster), so the mock serves",
    "  # kubernetes:* types. To manage a cluster, set KUBECONFIG and run `agent init --force`, or use:",
    "  # kubernetes:",
    "  #   builtin: kubernetes",
    "  #   env:",
    '  #     KUBECONFIG: "/home/you/.kube/config"',
    "  kubernetes: { builtin: mock }",
  ];
}

function awsStanza(input: RenderInput): string[] {
  if (input.awsCredentials) {
    return [
      `  # AWS credentials were found (${input.awsCredentials}): the real AWS provider manages`,
      "  # aws:* types through Cloud Control, with the SDK's usual chain (AWS_PROFILE, AWS_REGION,",
      "  # AWS_ENDPOINT_URL_CLOUDCONTROL). Any CloudFormation type works as aws:<service>:<resource>.",
      "  aws: { builtin: aws }",
    ];
  }
  return [
    "  # AWS: the mock serves aws:* types; no credentials were found. To manage real AWS through",
    "  # Cloud Control, set credentials the usual way (AWS_PROFILE and ~/.aws, or AWS_ACCESS_KEY_ID",
    "  # and AWS_SECRET_ACCESS_KEY) and run `agent init --force`, or uncomment the stanza below.",
    "  # aws:",
    "  #   builtin: aws",
    "  #   env:",
    '  #     AWS_PROFILE: "default"',
    '  #     AWS_REGION: "eu-central-1"',
    "  aws: { builtin: mock }",
  ];
}

function dockerStanza(input: RenderInput): string[] {
  if (input.dockerProblem === undefined) {
    const lines = [
      `  # A Docker engine answered at ${input.dockerWhere}: the real Docker provider manages it.`,
    ];
    if (!input.pinDockerHost) return [...lines, "  docker: { builtin: docker }"];
    return [
      ...lines,
      "  # DOCKER_HOST is pinned here; delete the env line to follow the shell's DOCKER_HOST instead.",
      `  docker: { builtin: docker, env: { DOCKER_HOST: ${JSON.stringify(input.dockerWhere)} } }`,
    ];
  }
  return [
    `  # No Docker engine answered at ${input.dockerWhere} (${input.dockerProblem}), so the mock`,
    "  # serves docker:* types and touches nothing real. To manage a real engine, start one",
    "  # (`sudo systemctl start docker`, or `dockerd`) or export DOCKER_HOST, then run",
    "  # `agent init --force` again, or change the line below to:",
    "  # docker: { builtin: docker }",
    "  docker: { builtin: mock }",
  ];
}

function renderConfig(input: RenderInput): string {
  return [
    "# mcp-iac configuration for this machine, written by `agent init`.",
    "#",
    "# Each mcpServers entry serves the types whose first segment is its name",
    "# (docker serves docker:container:run). An entry is one of:",
    "#   { builtin: NAME }            a provider of this installation; it inherits this shell's",
    "#                                environment (DOCKER_HOST, AWS_PROFILE, KUBECONFIG ...)",
    "#   { command, args?, env? }     any MCP server over stdio; it gets a minimal environment plus env",
    "#   { url: http://.../mcp }      any MCP server over streamable HTTP",
    "# `agent providers` shows what each entry serves and whether it answers.",
    "",
    "mcpServers:",
    ...dockerStanza(input),
    "",
    "  # Files, commands and services on this machine (local:file:file, local:process:service ...).",
    "  local: { builtin: local }",
    "",
    "  # OPNsense: `{ builtin: opnsense }` is the bundled provider; it reads OPNSENSE_URL,",
    "  # OPNSENSE_API_KEY and OPNSENSE_API_SECRET (System > Access > Users on the firewall) from this",
    "  # shell, and OPNSENSE_CA_FILE or OPNSENSE_INSECURE=1 for a self-signed certificate. Any other",
    "  # iac.mcp/v1 OPNsense server works too; started by command, it gets only a minimal environment,",
    "  # so its credentials go in its env block.",
    "  # opnsense:",
    "  #   command: opnsense-iac-mcp",
    "  #   env:",
    '  #     OPNSENSE_URL: "https://fw.lan"',
    '  #     OPNSENSE_API_KEY: "your-api-key"',
    '  #     OPNSENSE_API_SECRET: "your-api-secret"',
    input.opnsenseFromEnv ? "  opnsense: { builtin: opnsense }" : "  opnsense: { builtin: mock }",
    "",
    ...awsStanza(input),
    "",
    ...kubernetesStanza(input),
    "",
    "# Checked against every plan; add your own packs as files: [builtin:baseline, ./policies/ours.yaml]",
    "policies: [builtin:baseline]",
    "",
    '# State lives in .mcp-iac/ in this folder; a team uses "postgres://user@host/db" instead.',
    "state: { backend: file }",
    "",
    "# The model that plans from goals. Without a model block, ANTHROPIC_API_KEY or OPENAI_API_KEY",
    "# (the first one set) picks the adapter, and with neither the offline planner serves.",
    "# Uncomment one line:",
    "# model: { provider: anthropic, name: claude-sonnet-4-6 }",
    "# model: { provider: openai, name: gpt-4.1 }",
    '# model: { provider: openai, name: "llama3.1", baseURL: "http://127.0.0.1:11434/v1" }  # Ollama, vLLM, LM Studio',
    "",
  ].join("\n");
}
