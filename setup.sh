#!/usr/bin/env bash
# setup.sh: installs what dnetsim needs from Debian 12's archive, builds it,
# and then does one of:
#   ./setup.sh          build (Release) and run the default scenario:
#                       an HDF5 results file and PNG plots, paths printed
#   ./setup.sh test     build with AddressSanitizer + UBSan and run the
#                       whole test suite (ctest)
#   ./setup.sh deps     install the packages only
#   ./setup.sh build    install and build (Release) only
# Safe to run again: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
	build-essential clang cmake pkg-config git
	libgsl-dev libhdf5-dev hdf5-tools libyaml-dev libsodium-dev libcmocka-dev
	gnuplot-nox libopenmpi-dev openmpi-bin python3-h5py python3-pandas
	slurmctld slurmd slurm-client munge
	libns3-dev ns3 libxml2-dev libsqlite3-dev
)

JOBS=$(nproc 2>/dev/null || echo 2)

say() { printf '==> %s\n' "$*"; }

install_deps() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "all ${#PACKAGES[@]} packages present"
		return
	fi
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
		sudo="sudo"
	fi
	say "installing ${missing[*]}"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() { # build DIR TYPE
	say "building ($2) in $1"
	cmake -S . -B "$1" -DCMAKE_BUILD_TYPE="$2" >/dev/null
	cmake --build "$1" -j"$JOBS"
}

case "${1:-run}" in
deps)
	install_deps
	;;
build)
	install_deps
	build build Release
	;;
run)
	install_deps
	build build Release
	say "running scenarios/whitepaper.yaml"
	# --force: running setup again replaces the demo results it made before
	./build/dnetsim run scenarios/whitepaper.yaml --out results/whitepaper.h5 --force
	./build/dnetsim plot results/whitepaper.h5 -o results/whitepaper-plots
	say "results: $(pwd)/results/whitepaper.h5"
	say "plots:   $(pwd)/results/whitepaper-plots/"
	;;
test)
	install_deps
	build build-test Sanitize
	say "running the test suite"
	ctest --test-dir build-test --output-on-failure -j"$JOBS" --timeout 600
	;;
*)
	echo "usage: ./setup.sh [run|test|deps|build]" >&2
	exit 2
	;;
esac
