#ifndef BOOTLET_YAML_H
#define BOOTLET_YAML_H
/*
 * libyaml glue: parse the first document of a YAML stream into a flat array of events.
 *
 * Why C: libyaml's API is callback-free but works on large tagged unions and owns its strings; flattening the
 * event stream here keeps every libyaml type out of Swift. Tree building, tag resolution (go-yaml v2 rules),
 * anchors/aliases and merge keys are done in Swift (KubeModel/YAML).
 */
#include <stddef.h>
#include <stdint.h>

enum {
    BL_YAML_DOCUMENT_START = 1,
    BL_YAML_DOCUMENT_END = 2,
    BL_YAML_SEQUENCE_START = 3,
    BL_YAML_SEQUENCE_END = 4,
    BL_YAML_MAPPING_START = 5,
    BL_YAML_MAPPING_END = 6,
    BL_YAML_SCALAR = 7,
    BL_YAML_ALIAS = 8,
};

/* Scalar styles (libyaml's yaml_scalar_style_t values, restated). */
enum {
    BL_YAML_STYLE_PLAIN = 1,
    BL_YAML_STYLE_SINGLE_QUOTED = 2,
    BL_YAML_STYLE_DOUBLE_QUOTED = 3,
    BL_YAML_STYLE_LITERAL = 4,
    BL_YAML_STYLE_FOLDED = 5,
};

/* One event. Strings live in the result's arena: offset + length, offset -1 when absent. */
typedef struct bl_yaml_event {
    int32_t type;
    int32_t style;          /* scalars only */
    int32_t plain_implicit; /* scalar: tag may be resolved from a plain value; collections: implicit */
    int32_t line;           /* 0-based start mark */
    int32_t column;         /* 0-based start mark */
    int64_t anchor_off, anchor_len;
    int64_t tag_off, tag_len;
    int64_t value_off, value_len;
} bl_yaml_event;

typedef struct bl_yaml_result {
    bl_yaml_event *events;
    size_t count;
    char *arena;
    size_t arena_len;
    /* On a parse error (return -EINVAL): libyaml's problem/context text and 0-based marks. */
    char problem[256];
    char context[256];
    int32_t problem_line, problem_column;
    int32_t context_line, context_column;
    int32_t has_context;
} bl_yaml_result;

/*
 * Parses `len` bytes up to the end of the first document (later documents are not read, like go-yaml's
 * Unmarshal). An empty stream yields zero events. Returns 0, -EINVAL on a syntax error (details in `out`), or
 * -ENOMEM. Free `out` with bl_yaml_result_free in every case.
 */
int bl_yaml_parse_first_document(const unsigned char *input, size_t len, bl_yaml_result *out);
void bl_yaml_result_free(bl_yaml_result *out);

#endif
