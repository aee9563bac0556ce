#!/usr/bin/env bash
# Build the documentation site of the ovhcloud.domain collection into
# docs/build/html, offline:
#   1. antsibull-docs lint-collection-docs checks the plugin, role and extra
#      documentation (docs/docsite);
#   2. antsibull-docs writes the reStructuredText of every module, the lookup
#      plugin, the role and the guides of docs/docsite into docs/rst;
#   3. Sphinx builds the HTML, with every warning an error.
#
# It needs the tools of docs/requirements.txt and ansible-core on PATH
# (scripts/setup --all installs them in .venv), and reads the collection
# from ANSIBLE_COLLECTIONS_PATH, by default .build/collections, which
# scripts/setup links to the work tree. scripts/test runs it.
set -euo pipefail

docs_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$docs_dir")"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$repo_root/.build/collections}"

collection_dir="$ANSIBLE_COLLECTIONS_PATH/ansible_collections/ovhcloud/domain"
if [[ ! -d "$collection_dir" ]]; then
    echo "docs/build.sh: ovhcloud.domain not found at $collection_dir; run scripts/setup or set ANSIBLE_COLLECTIONS_PATH." >&2
    exit 1
fi

cd "$docs_dir"

antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all "$collection_dir"

# antsibull-docs writes only into a directory that no one else may write to.
rm -rf rst
mkdir -m 0755 rst
antsibull-docs \
    --config-file antsibull-docs.cfg \
    collection \
    --use-current \
    --squash-hierarchy \
    --fail-on-error \
    --cleanup everything \
    --dest-dir rst \
    ovhcloud.domain

sphinx-build -M html rst build -c . -W --keep-going -q
echo "Docs written to ${docs_dir#"$repo_root"/}/build/html/index.html"
