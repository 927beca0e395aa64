#ifndef BOOTLET_YAML_H
#define BOOTLET_YAML_H
/* placeholder: filled by the yaml work */
int bl_yaml_placeholder(void);
#endif
