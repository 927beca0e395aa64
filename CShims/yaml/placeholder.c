#include "bootlet_yaml.h"
int bl_yaml_placeholder(void) { return 0; }
