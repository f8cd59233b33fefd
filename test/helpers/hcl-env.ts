import { type ParsedModule, parseModule } from '../../scripts/terraform-docs.ts';

type Obj = Record<string, unknown>;
export type VariableValue = string | number | boolean | string[];

/**
 * What `terraform apply` would know about the control-plane module: values for its variables (the rest
 * take their defaults from variables.tf) and the attributes of resources that exist only after apply
 * (`aws_sqs_queue.events.url`, `aws_secretsmanager_secret.database_url.arn`…), here the local
 * equivalents. Any expression in the HCL this cannot evaluate is an error, so the rehearsal and the
 * Terraform cannot drift apart silently.
 */
export interface ModuleInputs {
  variables: Record<string, VariableValue>;
  resources: Record<string, string>;
}

export class HclEvaluator {
  constructor(
    readonly module: ParsedModule,
    readonly inputs: ModuleInputs,
  ) {}

  static async load(dir: string, inputs: ModuleInputs) {
    return new HclEvaluator(await parseModule(dir), inputs);
  }

  local(name: string): unknown {
    const found = (this.module.locals as Obj[]).find((l) => name in l);
    if (!found) throw new Error(`local.${name} is not defined`);
    return found[name];
  }

  resource(type: string, name: string): Obj {
    const blocks = (this.module.resource as Record<string, Record<string, Obj[]> | undefined>)[type]?.[name];
    if (!blocks?.[0]) throw new Error(`resource ${type}.${name} is not defined`);
    return blocks[0];
  }

  variable(name: string): VariableValue {
    if (name in this.inputs.variables) return this.inputs.variables[name]!;
    const declared = (this.module.variable as Record<string, Obj[]>)[name]?.[0];
    if (!declared) throw new Error(`var.${name} is not declared in the module`);
    if (!('default' in declared))
      throw new Error(`var.${name} has no default and the rehearsal gives it no value`);
    return declared.default as VariableValue;
  }

  /** A value as hcl2json renders it: a literal, "${expression}", or a template with ${…} parts. */
  value(raw: unknown, where: string): string {
    if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
    if (typeof raw !== 'string') throw new Error(`${where}: cannot evaluate ${JSON.stringify(raw)}`);
    if (raw.startsWith('${') && raw.endsWith('}') && raw.indexOf('${', 2) === -1)
      return this.expression(raw.slice(2, -1), where);
    return raw.replace(/\$\{([^}]+)\}/g, (_, expression: string) => this.expression(expression, where));
  }

  /** The few expression forms the module's environments and queues use; anything else throws. */
  expression(text: string, where: string): string {
    const expression = text.trim();
    const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
      [/^"([^"$]*)"$/, (m) => m[1]!],
      [/^\d+$/, (m) => m[0]],
      [/^var\.(\w+)$/, (m) => this.scalar(m[1]!, where)],
      [/^tostring\(var\.(\w+)\)$/, (m) => this.scalar(m[1]!, where)],
      [/^join\("([^"]*)", var\.(\w+)\)$/, (m) => this.list(m[2]!, where).join(m[1]!)],
      [/^local\.(\w+)$/, (m) => this.value(this.local(m[1]!), where)],
      [/^(\d+) \* var\.(\w+)$/, (m) => String(Number(m[1]) * Number(this.scalar(m[2]!, where)))],
      [/^aws_\w+\.\w+\.\w+$/, (m) => this.attribute(m[0], where)],
    ];
    for (const [pattern, evaluate] of rules) {
      const match = expression.match(pattern);
      if (match) return evaluate(match);
    }
    throw new Error(`${where}: the rehearsal cannot evaluate the expression ${expression}`);
  }

  private attribute(reference: string, where: string): string {
    const value = this.inputs.resources[reference];
    if (value === undefined) throw new Error(`${where}: the rehearsal has no local value for ${reference}`);
    return value;
  }

  private list(name: string, where: string): string[] {
    const value = this.variable(name);
    if (!Array.isArray(value)) throw new Error(`${where}: var.${name} is not a list`);
    return value;
  }

  private scalar(name: string, where: string): string {
    const value = this.variable(name);
    if (Array.isArray(value)) throw new Error(`${where}: var.${name} is a list`);
    return String(value);
  }

  /** `{ KEY = expression … }` object-constructor lines (inside merge() or jsonencode()). */
  objectBody(body: string, where: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of body.split('\n')) {
      if (!line.trim()) continue;
      const match = line.match(/^\s*(\w+)\s*=\s*(.+?)\s*$/);
      if (!match) throw new Error(`${where}: cannot read ${JSON.stringify(line.trim())}`);
      out[match[1]!] = this.expression(match[2]!, `${where}.${match[1]}`);
    }
    return out;
  }

  /** A map local: an object, or `merge(local.x, { … })`. */
  map(raw: unknown, where: string): Record<string, string> {
    if (raw && typeof raw === 'object' && !Array.isArray(raw))
      return Object.fromEntries(
        Object.entries(raw as Obj).map(([key, value]) => [key, this.value(value, `${where}.${key}`)]),
      );
    const merge =
      typeof raw === 'string' ? raw.match(/^\$\{merge\(local\.(\w+),\s*\{([\s\S]*)\}\)\}$/) : null;
    if (!merge) throw new Error(`${where}: cannot evaluate ${JSON.stringify(raw)}`);
    return { ...this.map(this.local(merge[1]!), `local.${merge[1]}`), ...this.objectBody(merge[2]!, where) };
  }

  /**
   * The environment of `aws_lambda_function.this[name]`, as Lambda would receive it: local.environments
   * evaluated, then the resource's own filter (empty values are left out).
   */
  functionEnvironment(name: string): Record<string, string> {
    const fn = this.resource('aws_lambda_function', 'this');
    const variables = ((fn.environment as Obj[])[0] as Obj).variables;
    // The for-expression of functions.tf, as hcl2json renders it: empty values are left out.
    const filter = `\${{ for key, value in local.environments[each.key] : key => value if value != "" }}`;
    if (variables !== filter)
      throw new Error(`aws_lambda_function.this: the rehearsal does not know the environment ${variables}`);
    const environments = this.local('environments') as Obj;
    if (!(name in environments)) throw new Error(`local.environments has no ${name}`);
    const env = this.map(environments[name], `local.environments.${name}`);
    return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  }
}

/** Queue attributes the local SQS server cannot or need not apply, with the reason. */
export const QUEUE_ARGUMENTS_NOT_APPLIED: Record<string, string> = {
  name: 'used as the queue name',
  tags: 'tags change no behaviour',
  sqs_managed_sse_enabled: 'encryption at rest; ElasticMQ keeps messages in memory',
  deduplication_scope:
    'high-throughput FIFO mode: a throughput setting, ordering and deduplication per group are the same',
  fifo_throughput_limit: 'high-throughput FIFO mode: a throughput setting',
};

/** CreateQueue name and attributes for `aws_sqs_queue.<name>`; throws on an argument it does not know. */
export function queueFromHcl(
  hcl: HclEvaluator,
  name: string,
): { QueueName: string; Attributes: Record<string, string> } {
  const queue = hcl.resource('aws_sqs_queue', name);
  const where = `aws_sqs_queue.${name}`;
  const Attributes: Record<string, string> = {};
  for (const [argument, raw] of Object.entries(queue)) {
    if (argument in QUEUE_ARGUMENTS_NOT_APPLIED) continue;
    switch (argument) {
      case 'fifo_queue':
        if (raw === true) Attributes.FifoQueue = 'true';
        break;
      case 'content_based_deduplication':
        Attributes.ContentBasedDeduplication = hcl.value(raw, `${where}.${argument}`);
        break;
      case 'visibility_timeout_seconds':
        Attributes.VisibilityTimeout = hcl.value(raw, `${where}.${argument}`);
        break;
      case 'message_retention_seconds':
        Attributes.MessageRetentionPeriod = hcl.value(raw, `${where}.${argument}`);
        break;
      case 'redrive_policy': {
        const body = typeof raw === 'string' ? raw.match(/^\$\{jsonencode\(\{([\s\S]*)\}\)\}$/) : null;
        if (!body) throw new Error(`${where}.redrive_policy: cannot evaluate ${JSON.stringify(raw)}`);
        const policy = hcl.objectBody(body[1]!, `${where}.redrive_policy`);
        Attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: policy.deadLetterTargetArn,
          maxReceiveCount: Number(policy.maxReceiveCount),
        });
        break;
      }
      default:
        throw new Error(`${where}: the rehearsal does not know the argument ${argument}`);
    }
  }
  return { QueueName: hcl.value(queue.name, `${where}.name`), Attributes };
}
