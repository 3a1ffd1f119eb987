/* Adds the strided copy (copy.c) to the addon's exports. */
#ifndef LAYOUTBENCH_COPY_H
#define LAYOUTBENCH_COPY_H

#include <node_api.h>

napi_status define_copy(napi_env env, napi_value exports);

#endif
