/* Adds the chunk decoders (decode.c) to the addon's exports. */
#ifndef LAYOUTBENCH_DECODE_H
#define LAYOUTBENCH_DECODE_H

#include <node_api.h>

napi_status define_decoders(napi_env env, napi_value exports);

#endif
