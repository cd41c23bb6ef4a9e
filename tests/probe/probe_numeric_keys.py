# The probe behind issue 22's table (exploration, not a test): every numeric key of the
# scenario, model and hardware files and of the memory/flops options, tried with extreme
# values; each run classified as exit 2 (ERR2), exit 0 (OK, with its summary), a timeout
# (HANG) or a crash. Usage: copy this folder's *.yaml and configs/models/llama-3.1-8b.yaml,
# configs/hardware/h100-sxm.yaml into PROBE_DIR, then
#   LLMSIM_BIN=$PWD/build/app/llmsim PROBE_DIR=/tmp/r2probe python3 probe_numeric_keys.py [scenario|model|hw|cli]
import subprocess, sys, os, re, json, shutil, itertools
BIN = os.environ.get('LLMSIM_BIN', 'build/app/llmsim')
PROBE_DIR = os.environ.get('PROBE_DIR', '/tmp/r2probe')
VALS = ['0', '-1', '0.5', '2147483647', '2147483648', '4294967297', '9007199254740993',
        '9223372036854775807', '1e18', '1e300', '1e-300', '1e-12']
def run(args, cwd=PROBE_DIR):
    out = os.path.join(PROBE_DIR, 'out_x')
    shutil.rmtree(out, ignore_errors=True)
    args = [a.replace('{out}', out) for a in args]
    cmd = 'ulimit -v 6000000; timeout 10 ' + ' '.join("'" + a + "'" for a in [BIN] + args)
    p = subprocess.run(['bash', '-c', cmd], cwd=cwd, capture_output=True, text=True, errors='replace')
    rc = p.returncode
    first = (p.stderr.strip().splitlines() or [''])[-1][:160]
    if rc == 0:
        kind = 'OK'
        summ = os.path.join(out, 'summary.json')
        if os.path.exists(summ):
            try:
                s = json.load(open(summ))
                first = 'completed=%s failed=%s dur=%s in=%s out=%s ttft=%s stopped=%s' % (s.get('completed'), s.get('failed'), s.get('duration'), s.get('total_input_tokens'), s.get('total_output_tokens'), s.get('mean_ttft_ms'), s.get('stopped_early'))
            except Exception as e:
                first = 'summary unreadable ' + str(e)
        else:
            first = p.stdout.strip().replace('\n', ' | ')[:200]
    elif rc == 2: kind = 'ERR2'
    elif rc == 124: kind = 'HANG'
    elif rc >= 128 or rc < 0: kind = 'CRASH%d' % rc
    else: kind = 'RC%d' % rc
    return kind, first
scen_keys = {
 'base.yaml': ['seed', 'engine.max_num_seqs', 'engine.max_num_batched_tokens', 'engine.block_size',
   'engine.gpu_memory_utilization', 'deployment.tensor_parallel', 'deployment.replicas',
   'workload.num_requests', 'workload.arrival.rate_per_s', 'workload.input_tokens.value',
   'workload.output_tokens.value', 'workload.input_tokens.max', 'workload.output_tokens.min',
   'workload.shared_prefix_tokens', 'slo.ttft_ms', 'limits.max_sim_time_s', 'limits.max_wall_time_s',
   'limits.max_iterations_without_progress'],
 'gamma.yaml': ['workload.arrival.cv', 'workload.arrival.rate_per_s', 'workload.input_tokens.low',
   'workload.input_tokens.high', 'workload.output_tokens.median', 'workload.output_tokens.sigma',
   'workload.output_tokens.max'],
 'closed.yaml': ['workload.arrival.clients', 'workload.arrival.think_time_s', 'workload.input_tokens.mean',
   'workload.input_tokens.stddev'],
 'beam.yaml': ['workload.num_problems', 'workload.max_steps', 'workload.max_context_budget', 'workload.beam_size',
   'workload.candidates_per_beam', 'workload.prm_max_tokens', 'workload.step_tokens.median',
   'workload.step_tokens.sigma', 'workload.question_tokens.value', 'workload.arrival.rate_per_s'],
}
only = sys.argv[1] if len(sys.argv) > 1 else ''
for f, keys in scen_keys.items():
    for k in keys:
        if only and only not in k: continue
        for v in VALS:
            kind, msg = run(['run', f, '--set', '%s=%s' % (k, v), '--quiet', '--out', '{out}'])
            print('%-6s %s %s=%s :: %s' % (kind, f, k, v, msg), flush=True)
def file_probe(src, keys, argsfn, name):
    lines = open(src).read().splitlines()
    for k in keys:
        for v in VALS:
            new = []
            for ln in lines:
                m = re.match(r'^(\s*)' + re.escape(k) + r':\s*([^#]*)(#.*)?$', ln)
                if m: new.append(m.group(1) + k + ': ' + v)
                else: new.append(re.sub(r'\b' + re.escape(k) + r': [-0-9.e+]+', k + ': ' + v, ln))
            open(name, 'w').write('\n'.join(new) + '\n')
            kind, msg = run(argsfn(name))
            print('%-6s %s %s=%s :: %s' % (kind, src, k, v, msg), flush=True)
if not only or only == 'model':
    mkeys = ['nominal_params', 'num_layers', 'hidden_size', 'num_attention_heads', 'num_kv_heads', 'head_dim', 'intermediate_size', 'vocab_size', 'max_position_embeddings']
    file_probe('model.yaml', mkeys, lambda n: ['run', 'base.yaml', '--set', 'model=' + n, '--quiet', '--out', '{out}'], 'llama-3.1-8b.yaml')
    file_probe('model.yaml', mkeys, lambda n: ['memory', '--model', n, '--hardware', 'h100-sxm'], 'llama-3.1-8b.yaml')
    file_probe('model.yaml', mkeys, lambda n: ['flops', '--model', n, '--input-tokens', '100', '--output-tokens', '10'], 'llama-3.1-8b.yaml')
if not only or only == 'hw':
    hkeys = ['hbm_bandwidth_tb_per_s', 'hbm_capacity_gib', 'interconnect_bandwidth_gb_per_s', 'interconnect_latency_us', 'tdp_w', 'idle_power_w', 'price_per_gpu_hour_usd', 'per_layer_overhead_us', 'per_iteration_overhead_us', 'roofline_exponent', 'bf16', 'fp8', 'latency_us']
    file_probe('hw.yaml', hkeys, lambda n: ['run', 'base.yaml', '--set', 'hardware=' + n, '--quiet', '--out', '{out}'], 'h100-sxm.yaml')
    file_probe('hw.yaml', hkeys, lambda n: ['memory', '--model', 'llama-3.1-8b', '--hardware', n], 'h100-sxm.yaml')
if not only or only == 'cli':
    for opt in ['--tp', '--batch', '--seq-len', '--output-tokens', '--calculator-efficiency', '--scaling-factor']:
        for v in VALS:
            kind, msg = run(['memory', '--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', opt, v])
            print('%-6s memory %s %s :: %s' % (kind, opt, v, msg), flush=True)
    for opt in ['--input-tokens', '--output-tokens', '--batch', '--duration-s', '--num-gpus']:
        for v in VALS:
            a = ['flops', '--model', 'llama-3.1-8b', '--input-tokens', '100', '--output-tokens', '10', '--gpu', 'h100-sxm', '--duration-s', '1']
            if opt in a: i = a.index(opt); a[i+1] = v
            else: a += [opt, v]
            kind, msg = run(a)
            print('%-6s flops %s %s :: %s' % (kind, opt, v, msg), flush=True)
