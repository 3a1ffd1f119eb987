/* Adds the Blosc encoder (blosc-encode.c, the system's c-blosc) to the addon's exports. */
#ifndef LAYOUTBENCH_BLOSC_ENCODE_H
#define LAYOUTBENCH_BLOSC_ENCODE_H

#include <node_api.h>

napi_status define_blosc_encoder(napi_env env, napi_value exports);

#endif
