#ifndef DISCOGS_BATCH_CLIBYAML_SHIM_H
#define DISCOGS_BATCH_CLIBYAML_SHIM_H
#include <yaml.h>
#endif
