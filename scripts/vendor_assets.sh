#!/usr/bin/env bash
# Vendors pinned front-end builds from npm into app/static/vendor/ so the app needs no CDN.
#
# Run by hand when a version changes (bash scripts/vendor_assets.sh), then commit the result.
# The app never runs npm: only the copied files and VERSIONS.txt are shipped.
# Upstream files are copied unchanged except for two edits, both listed in VERSIONS.txt:
#   - trailing source-map comments are removed (the .map files are not vendored);
#   - katex.min.css keeps only the woff2 font URLs (only the woff2 fonts are vendored;
#     every browser LopHoc supports reads woff2).
set -euo pipefail

# Pinned versions. Bump here, rerun, review the diff of app/static/vendor/, commit.
PACKAGES=(
    "bootstrap@5.3.9"
    "htmx.org@2.0.11"
    "katex@0.16.47"
    "chart.js@4.6.1"
    "socket.io-client@4.8.4"
    "scorm-again@3.4.3"
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/app/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
nm="$tmp/node_modules"

command -v npm >/dev/null || { echo "npm is required (apt-get install npm)" >&2; exit 1; }
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }

npm install --no-audit --no-fund --ignore-scripts --no-save --prefix "$tmp" "${PACKAGES[@]}"

# put PACKAGE SOURCE [TARGET]: copy node_modules/PACKAGE/SOURCE to vendor/PACKAGE/TARGET.
put() {
    local pkg="$1" src="$2" target="${3:-$(basename "$2")}"
    mkdir -p "$(dirname "$out/$pkg/$target")"
    cp "$nm/$pkg/$src" "$out/$pkg/$target"
}

# strip_source_map FILE: drop the trailing sourceMappingURL comment (maps are not vendored).
strip_source_map() {
    sed -i -E -e '/^\/\/# sourceMappingURL=[^ ]*$/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$1"
}

license_of() {
    local pkg="$1" f
    for f in LICENSE LICENSE.md LICENSE.txt license; do
        if [[ -f "$nm/$pkg/$f" ]]; then
            put "$pkg" "$f" LICENSE
            return
        fi
    done
    echo "no licence file in $pkg" >&2
    exit 1
}

put bootstrap dist/css/bootstrap.min.css
put bootstrap dist/js/bootstrap.bundle.min.js

put htmx.org dist/htmx.min.js

put katex dist/katex.min.css
put katex dist/katex.min.js
put katex dist/contrib/auto-render.min.js contrib/auto-render.min.js
mkdir -p "$out/katex/fonts"
cp "$nm"/katex/dist/fonts/*.woff2 "$out/katex/fonts/"
# Keep only the woff2 source of each @font-face.
sed -i -E 's#,url\(fonts/[^)]*\.(woff|ttf)\) format\("(woff|truetype)"\)##g' "$out/katex/katex.min.css"
if grep -Eq 'url\(fonts/[^)]*\.(woff|ttf)\)' "$out/katex/katex.min.css"; then
    echo "katex.min.css still names woff/ttf fonts: the @font-face format changed" >&2
    exit 1
fi

put chart.js dist/chart.umd.min.js

put socket.io-client dist/socket.io.min.js

put scorm-again dist/scorm12.min.js
put scorm-again dist/scorm2004.min.js

for spec in "${PACKAGES[@]}"; do
    license_of "${spec%@*}"
done

while IFS= read -r -d '' f; do
    strip_source_map "$f"
done < <(find "$out" -type f \( -name '*.js' -o -name '*.css' \) -print0)

{
    echo "# LopHoc vendored front-end assets. Written by scripts/vendor_assets.sh: do not edit."
    echo "# Source: npm packages at the versions below; the app fetches nothing at run time."
    echo "# Edits to upstream files: trailing sourceMappingURL comments removed;"
    echo "# katex/katex.min.css keeps only the woff2 url() of each @font-face."
    echo "# Records (tab-separated):"
    echo "#   package<TAB>name<TAB>version<TAB>licence"
    echo "#   file<TAB>path relative to this folder<TAB>sha256"
    for spec in "${PACKAGES[@]}"; do
        pkg="${spec%@*}"
        version="$(node -p "require('$nm/$pkg/package.json').version")"
        if [[ "$version" != "${spec##*@}" ]]; then
            echo "$pkg: npm installed $version, expected ${spec##*@}" >&2
            exit 1
        fi
        licence="$(node -p "require('$nm/$pkg/package.json').license || 'see LICENSE'")"
        printf 'package\t%s\t%s\t%s\n' "$pkg" "$version" "$licence"
        while IFS= read -r rel; do
            printf 'file\t%s\t%s\n' "$pkg/$rel" "$(sha256sum "$out/$pkg/$rel" | cut -d' ' -f1)"
        done < <(cd "$out/$pkg" && find . -type f | sed 's#^\./##' | LC_ALL=C sort)
    done
} > "$out/VERSIONS.txt"

# Replace the vendor folder as a whole, so files dropped upstream do not linger.
case "$dest" in
    */app/static/vendor) ;;
    *) echo "refusing to replace unexpected folder $dest" >&2; exit 1 ;;
esac
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -r "$out" "$dest"

echo "Vendored into $dest ($(du -sh "$dest" | cut -f1)):"
grep '^package' "$dest/VERSIONS.txt" | cut -f2-
