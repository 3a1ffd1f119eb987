{
  "targets": [
    {
      "target_name": "layoutbench_native",
      "sources": [
        "harness/native/layoutbench.c", "harness/native/decode.c", "harness/native/decode-pool.c",
        "harness/native/blosc.c", "harness/native/lz4.c", "harness/native/copy.c",
        "harness/native/blosc-encode.c"
      ],
      "libraries": ["-ldl", "-lpthread"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
