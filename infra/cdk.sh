#!/usr/bin/env bash
# The CDK command surface behind `make synth|deploy|localstack-deploy|diff`:
#
#   bash infra/cdk.sh synth               no AWS account; the real dependency layer (built once per uv.lock)
#   bash infra/cdk.sh deploy              bootstrap (idempotent) + deploy the three stacks
#   bash infra/cdk.sh localstack-deploy   the same against a LocalStack you run (Docker + LOCALSTACK_AUTH_TOKEN)
#   bash infra/cdk.sh diff                compare with what is deployed (needs AWS credentials)
#
# Extra arguments go to the cdk command, e.g. `bash infra/cdk.sh deploy --require-approval never`.
# PROFILE=lean picks the lean profile (infra/profiles.py); production is the default.
# BUNDLE=false synthesizes a placeholder layer instead (no PyPI at all); never deploy that.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# jsii warns loudly on every start under Node 20; the machines have Node 20, the warning is known.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"
# No version check, no telemetry: synth stays offline and quiet.
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true

if [[ ! -x .venv/bin/python ]]; then
  echo "cdk.sh: .venv is missing; create it first (uv sync --all-groups)" >&2
  exit 1
fi

# The CLI version is pinned by infra/package-lock.json; reinstall whenever the lock is newer than the install.
if [[ ! -x infra/node_modules/.bin/cdk || infra/package-lock.json -nt infra/node_modules/.package-lock.json ]]; then
  npm ci --prefix infra --no-audit --no-fund --loglevel=error
fi
cdk=(infra/node_modules/.bin/cdk)

command="${1:-}"
shift || true
profile=(-c "profile=${PROFILE:-production}")

case "$command" in
  synth)
    # --no-notices: notices are fetched from the internet; synth stays offline.
    exec "${cdk[@]}" synth --quiet --no-notices "${profile[@]}" -c "bundle=${BUNDLE:-true}" "$@"
    ;;
  diff)
    exec "${cdk[@]}" diff --all "${profile[@]}" -c bundle=true "$@"
    ;;
  deploy)
    # A fresh nonce per deploy makes the on-deploy jobs (migrations) run even when their code did not change.
    nonce="$(date -u +%Y%m%dT%H%M%SZ)"
    "${cdk[@]}" bootstrap "${profile[@]}" -c bundle=false
    exec "${cdk[@]}" deploy --all "${profile[@]}" -c bundle=true -c "deployNonce=$nonce" "$@"
    ;;
  localstack-deploy)
    # cdklocal refuses AWS_ENDPOINT_URL without AWS_ENDPOINT_URL_S3: S3 must be reached on a host whose
    # subdomains resolve (bucket.s3.localhost.localstack.cloud), which a bare localhost:4566 does not offer.
    # localhost.localstack.cloud and its subdomains resolve to 127.0.0.1 in public DNS.
    endpoint="${AWS_ENDPOINT_URL:-http://localhost.localstack.cloud:4566}"
    port="${endpoint##*:}"
    port="${port%%/*}"
    [[ "$port" =~ ^[0-9]+$ ]] || port=4566
    cat >&2 <<EOF
cdk.sh: deploying to LocalStack at $endpoint (README.md, "LocalStack", lists what it does not emulate).
  This needs a running LocalStack Pro instance (Docker + LOCALSTACK_AUTH_TOKEN): the stacks use RDS/Aurora,
  API Gateway v2, CloudFront and Lambda in a VPC, which the free edition does not provide. Start one with:
    docker run -d -p 4566:4566 -e LOCALSTACK_AUTH_TOKEN=... localstack/localstack-pro
EOF
    if ! curl -fsS --max-time 3 "$endpoint/_localstack/health" >/dev/null 2>&1; then
      echo "cdk.sh: no LocalStack answers at $endpoint/_localstack/health; start it first." >&2
      exit 1
    fi
    export AWS_ENDPOINT_URL="$endpoint"
    export AWS_ENDPOINT_URL_S3="${AWS_ENDPOINT_URL_S3:-http://s3.localhost.localstack.cloud:$port}"
    export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
    export AWS_REGION="${AWS_REGION:-us-east-1}" AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
    export CDK_DEPLOY_ACCOUNT="${CDK_DEPLOY_ACCOUNT:-000000000000}"
    cdklocal=("${CDKLOCAL:-infra/node_modules/.bin/cdklocal}")
    nonce="$(date -u +%Y%m%dT%H%M%SZ)"
    # -c localstack=true: functions get no dual-stack or Secrets Manager endpoint settings, so the endpoint
    # LocalStack gives them reaches every API.
    "${cdklocal[@]}" bootstrap "${profile[@]}" -c bundle=false
    exec "${cdklocal[@]}" deploy --all --require-approval never "${profile[@]}" -c bundle=true \
      -c localstack=true -c "deployNonce=$nonce" "$@"
    ;;
  *)
    echo "usage: bash infra/cdk.sh synth|deploy|localstack-deploy|diff [cdk options]" >&2
    exit 2
    ;;
esac
