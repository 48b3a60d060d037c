// Locates a libtorch installation and prints build flags for binding.gyp.
// Default: Debian's libtorch-dev (/usr). LIBTORCH=/path selects any other
// libtorch: a pytorch.org archive, a pip `torch` package folder, a CUDA build.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function findLibtorch(env = process.env) {
  const root = env.LIBTORCH;
  if (root) {
    const include = join(root, 'include');
    const lib = join(root, 'lib');
    if (!existsSync(join(include, 'torch', 'csrc', 'api', 'include', 'torch', 'torch.h'))) {
      return { error: `LIBTORCH=${root} holds no libtorch headers (expected ${include}/torch/csrc/api/include/torch/torch.h): point LIBTORCH at an unpacked libtorch or a pip torch package folder` };
    }
    return {
      includes: [include, join(include, 'torch', 'csrc', 'api', 'include')],
      libDir: lib,
      cuda: existsSync(join(lib, 'libtorch_cuda.so')),
      abi: cxxAbi(root),
    };
  }
  const debInclude = '/usr/include/torch/csrc/api/include';
  const libDir = debianLibDir();
  if (!existsSync(join(debInclude, 'torch', 'torch.h')) || !libDir) {
    return { error: 'libtorch not found: run `sudo apt-get install -y libtorch-dev` (Debian/Ubuntu) or set LIBTORCH=/path/to/libtorch' };
  }
  return { includes: ['/usr/include', debInclude], libDir, cuda: existsSync(join(libDir, 'libtorch_cuda.so')), abi: 1 };
}

function debianLibDir() {
  for (const d of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib']) {
    if (existsSync(join(d, 'libtorch.so')) && existsSync(join(d, 'libc10.so'))) return d;
  }
  return null;
}

// pip wheels before torch 2.7 and the "pre-cxx11 ABI" archives use the old
// libstdc++ ABI; TorchConfig.cmake records which one the build used.
function cxxAbi(root) {
  const candidates = [join(root, 'share', 'cmake', 'Torch', 'TorchConfig.cmake')];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const m = /_GLIBCXX_USE_CXX11_ABI=(\d)/.exec(readFileSync(file, 'utf8'));
    if (m) return Number(m[1]);
  }
  const lib = join(root, 'lib');
  if (existsSync(lib) && readdirSync(lib).some((f) => f.startsWith('libtorch_python'))) return 0;
  return 1;
}

// `node native/libtorch.mjs include|libdir|libs|defines` is called by binding.gyp.
if (process.argv[1] && process.argv[1].endsWith('libtorch.mjs')) {
  const found = findLibtorch();
  if (found.error) {
    console.error(found.error);
    process.exit(1);
  }
  const what = process.argv[2];
  if (what === 'include') console.log(found.includes.join(' '));
  else if (what === 'libdir') console.log(found.libDir);
  else if (what === 'libs') {
    const cuda = found.cuda ? ' -Wl,--no-as-needed -ltorch_cuda -Wl,--as-needed' : '';
    console.log(`-L${found.libDir} -Wl,-rpath,${found.libDir} -ltorch -ltorch_cpu -lc10${cuda}`);
  } else if (what === 'defines') console.log(`_GLIBCXX_USE_CXX11_ABI=${found.abi}`);
  else console.log(JSON.stringify(found));
}
