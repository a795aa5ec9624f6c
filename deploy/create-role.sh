#!/usr/bin/env bash
# Creates (or updates) the function's execution role with the Alibaba Cloud CLI: only Function
# Compute may assume it, and it may do only what the function does, only under the bucket and
# prefix that s.yaml serves. Run it once before the first `make deploy`, and again after changing
# the bucket, the prefix or the encryption.
#
#   deploy/create-role.sh [--versioned] [--kms-key-id ID] [--spec s.yaml]   create or update the role
#   deploy/create-role.sh --dry-run ...     print the aliyun commands instead of running them
#   deploy/create-role.sh --policy ...      print only the permission policy (JSON)
#   deploy/create-role.sh --trust           print only the trust policy (JSON)
#
#   --versioned       the bucket has versioning enabled (adds oss:GetObjectVersion)
#   --kms-key-id ID   the bucket's default encryption uses this KMS key (adds kms:Decrypt and
#                     kms:GenerateDataKey on it); RESULT_ENCRYPTION=KMS in s.yaml adds its key itself
#
# Region, bucket, prefix, role name, result suffix and encryption come from the vars of s.yaml.
# Needs the Alibaba Cloud CLI (`aliyun`, configured with `aliyun configure`) and a RAM identity
# that may manage roles and policies (ram:CreateRole, ram:CreatePolicy, ram:CreatePolicyVersion,
# ram:AttachPolicyToRole). RAM policies are JSON without comments: the comments here say why
# each statement is there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
spec="$here/../s.yaml"
mode=run versioned=false bucket_kms_key=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) mode=dry-run ;;
    --policy) mode=policy ;;
    --trust) mode=trust ;;
    --versioned) versioned=true ;;
    --kms-key-id) bucket_kms_key="${2:?--kms-key-id needs a key id}"; shift ;;
    --spec) spec="${2:?--spec needs a file}"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "create-role.sh: unknown argument $1 (--help lists them)" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$spec" ] || { echo "create-role.sh: no $spec" >&2; exit 2; }

# var NAME prints vars.NAME of s.yaml: a plain scalar on its own line under "vars:".
var() {
  awk -v name="$1" '
    /^vars:/ { in_vars = 1; next }
    in_vars && /^[^ #]/ { in_vars = 0 }
    in_vars && $1 == name ":" {
      sub(/^[^:]*:[ \t]*/, ""); sub(/[ \t]+#.*$/, "")
      gsub(/^["\047]|["\047]$/, ""); print; exit
    }' "$spec"
}
region=$(var region) bucket=$(var bucket) prefix=$(var triggerPrefix) role=$(var roleName)
suffix=$(var resultSuffix) result_encryption=$(var resultEncryption) result_kms_key=$(var resultKmsKeyId)
for v in region bucket role suffix; do
  [ -n "${!v}" ] || { echo "create-role.sh: $spec has no vars entry for $v" >&2; exit 2; }
done
case "$bucket$prefix$suffix" in *'"'*|*\\*) echo "create-role.sh: quotes or backslashes in bucket, prefix or suffix" >&2; exit 2 ;; esac

objects="acs:oss:*:*:$bucket/$prefix*"
statements=()
statement() { # statement RESOURCE ACTION...
  local resource="$1" actions="" a; shift
  for a in "$@"; do actions+="${actions:+, }\"$a\""; done
  statements+=("{\"Effect\": \"Allow\", \"Action\": [$actions], \"Resource\": [\"$resource\"]}")
}

# HEAD of the image (ETag, size, x-oss-meta-card-side) and of its result (dedupe), and the GET
# URL signed for the vendor: a signed URL can do only what its signer may.
statement "$objects" oss:GetObject
# Writing <image key><suffix> next to the image, and only such keys: the function can never
# overwrite an image. PutObjectAcl because every result is written with x-oss-object-acl: private,
# which OSS treats as a PutObjectACL (results hold personal data and must not inherit a public
# bucket ACL).
statement "$objects$suffix" oss:PutObject oss:PutObjectAcl
# FC writes the function's logs with this role to the logstore that fc3 creates for
# `logConfig: auto` (project serverless-<region>-<id>, logstore default-logs).
statement "acs:log:$region:*:project/serverless-$region-*/logstore/default-logs" log:PostLogStoreLogs
# A versioned bucket: the signed URL names the version read (versionId), which needs
# GetObjectVersion or the vendor's download is refused.
if $versioned; then
  statement "$objects" oss:GetObjectVersion
fi
# KMS: reading a KMS-encrypted image (HEAD and the signed GET) needs kms:Decrypt, writing a
# KMS-encrypted result kms:GenerateDataKey and kms:Decrypt, each on that key only.
keys=()
[ -n "$bucket_kms_key" ] && keys+=("$bucket_kms_key")
if [ "$(echo "$result_encryption" | tr '[:lower:]' '[:upper:]')" = KMS ] && [ -n "$result_kms_key" ] && [ "$result_kms_key" != "$bucket_kms_key" ]; then
  keys+=("$result_kms_key")
fi
for key in "${keys[@]+"${keys[@]}"}"; do
  statement "acs:kms:$region:*:key/$key" kms:Decrypt kms:GenerateDataKey
done

joined=$(printf '%s,\n  ' "${statements[@]}")
policy=$(printf '{"Version": "1", "Statement": [\n  %s\n]}' "${joined%,$'\n  '}")
# Only Function Compute may assume the role.
trust='{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["fc.aliyuncs.com"]}}]}'
policy_name="$role-policy"

case "$mode" in
  policy) echo "$policy"; exit 0 ;;
  trust) echo "$trust"; exit 0 ;;
esac

run() { # run COMMAND... : print it in dry-run mode, run it otherwise
  if [ "$mode" = dry-run ]; then printf '%q ' "$@"; echo; else "$@"; fi
}
if [ "$mode" = run ]; then
  command -v aliyun >/dev/null || { echo "create-role.sh: the Alibaba Cloud CLI (aliyun) is not installed; see README, \"Deploy to your account\"" >&2; exit 2; }
fi

echo "# role $role for bucket $bucket, prefix '${prefix}', region $region" >&2
if [ "$mode" = run ] && aliyun ram GetRole --RoleName "$role" >/dev/null 2>&1; then
  echo "# role $role exists: keeping it, updating its policy" >&2
else
  run aliyun ram CreateRole --RoleName "$role" --Description "Execution role of the vehicle licence recognition function" \
    --AssumeRolePolicyDocument "$trust"
fi
if [ "$mode" = run ] && aliyun ram GetPolicy --PolicyType Custom --PolicyName "$policy_name" >/dev/null 2>&1; then
  run aliyun ram CreatePolicyVersion --PolicyName "$policy_name" --PolicyDocument "$policy" --SetAsDefault true \
    --RotateStrategy DeleteOldestNonDefaultVersionWhenLimitExceeded
else
  run aliyun ram CreatePolicy --PolicyName "$policy_name" --Description "What the vehicle licence recognition function does" \
    --PolicyDocument "$policy"
fi
if [ "$mode" = run ] && aliyun ram ListPoliciesForRole --RoleName "$role" 2>/dev/null | grep -q "\"PolicyName\": *\"$policy_name\""; then
  echo "# $policy_name is attached to $role" >&2
else
  run aliyun ram AttachPolicyToRole --PolicyType Custom --PolicyName "$policy_name" --RoleName "$role"
fi
if [ "$mode" = dry-run ]; then
  echo "# dry run: nothing was changed" >&2
else
  echo "# done: s.yaml's role acs:ram::<account>:role/$role is ready for make deploy" >&2
fi
