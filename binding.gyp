{
  "targets": [
    {
      "target_name": "layoutbench_native",
      "sources": ["harness/native/layoutbench.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
