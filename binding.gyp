{
  # zstd: libzstd's decompression sources as shipped inside the zstd-napi package (a dependency),
  # found wherever npm put it (relative: gyp mangles absolute source paths), so no system package is needed.
  "variables": {
    "zstd_lib": "<!(node -p \"const p = require('path'); p.relative('.', p.join(p.dirname(require.resolve('zstd-napi/package.json')), 'deps', 'zstd', 'lib'))\")"
  },
  "targets": [
    {
      "target_name": "zstd_decompress",
      "type": "static_library",
      "sources": [
        "<(zstd_lib)/common/debug.c", "<(zstd_lib)/common/entropy_common.c", "<(zstd_lib)/common/error_private.c",
        "<(zstd_lib)/common/fse_decompress.c", "<(zstd_lib)/common/xxhash.c", "<(zstd_lib)/common/zstd_common.c",
        "<(zstd_lib)/decompress/huf_decompress.c", "<(zstd_lib)/decompress/huf_decompress_amd64.S",
        "<(zstd_lib)/decompress/zstd_ddict.c", "<(zstd_lib)/decompress/zstd_decompress.c",
        "<(zstd_lib)/decompress/zstd_decompress_block.c"
      ],
      "defines": ["XXH_NAMESPACE=ZSTD_", "ZSTD_NO_TRACE", "ZSTDLIB_VISIBLE=", "ZSTDERRORLIB_VISIBLE="],
      "cflags": ["-O3", "-fvisibility=hidden", "-fPIC"],
      "direct_dependent_settings": { "include_dirs": ["<(zstd_lib)"] }
    },
    {
      "target_name": "layoutbench_native",
      "dependencies": ["zstd_decompress"],
      "sources": [
        "harness/native/layoutbench.c", "harness/native/decode.c", "harness/native/decode-pool.c",
        "harness/native/blosc.c", "harness/native/blosclz.c", "harness/native/shuffle.c",
        "harness/native/lz4.c", "harness/native/zstd.c", "harness/native/copy.c",
        "harness/native/blosc-encode.c"
      ],
      "libraries": ["-ldl", "-lpthread"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
