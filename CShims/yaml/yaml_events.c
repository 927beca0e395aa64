/* libyaml event stream → flat event array (see include/bootlet_yaml.h). */
#include "bootlet_yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct builder {
    bl_yaml_result *out;
    size_t events_cap;
    size_t arena_cap;
} builder;

static int arena_add(builder *b, const unsigned char *s, size_t n, int64_t *off, int64_t *len) {
    if (s == NULL) {
        *off = -1;
        *len = 0;
        return 0;
    }
    bl_yaml_result *r = b->out;
    if (r->arena_len + n + 1 > b->arena_cap) {
        size_t cap = b->arena_cap ? b->arena_cap : 4096;
        while (cap < r->arena_len + n + 1) cap *= 2;
        char *p = realloc(r->arena, cap);
        if (p == NULL) return -ENOMEM;
        r->arena = p;
        b->arena_cap = cap;
    }
    if (n) memcpy(r->arena + r->arena_len, s, n);
    r->arena[r->arena_len + n] = 0;
    *off = (int64_t)r->arena_len;
    *len = (int64_t)n;
    r->arena_len += n + 1;
    return 0;
}

static bl_yaml_event *push(builder *b) {
    bl_yaml_result *r = b->out;
    if (r->count == b->events_cap) {
        size_t cap = b->events_cap ? b->events_cap * 2 : 64;
        bl_yaml_event *p = realloc(r->events, cap * sizeof(*p));
        if (p == NULL) return NULL;
        r->events = p;
        b->events_cap = cap;
    }
    bl_yaml_event *e = &r->events[r->count++];
    memset(e, 0, sizeof(*e));
    e->anchor_off = e->tag_off = e->value_off = -1;
    return e;
}

static void copy_text(char *dst, size_t cap, const char *src) {
    if (src == NULL) src = "";
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static size_t cstrlen(const yaml_char_t *s) { return s ? strlen((const char *)s) : 0; }

int bl_yaml_parse_first_document(const unsigned char *input, size_t len, bl_yaml_result *out) {
    memset(out, 0, sizeof(*out));
    builder b = {.out = out};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return -ENOMEM;
    yaml_parser_set_input_string(&parser, input, len);
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            if (parser.error == YAML_MEMORY_ERROR) {
                rc = -ENOMEM;
                break;
            }
            copy_text(out->problem, sizeof(out->problem), parser.problem);
            out->problem_line = (int32_t)parser.problem_mark.line;
            out->problem_column = (int32_t)parser.problem_mark.column;
            if (parser.context) {
                copy_text(out->context, sizeof(out->context), parser.context);
                out->context_line = (int32_t)parser.context_mark.line;
                out->context_column = (int32_t)parser.context_mark.column;
                out->has_context = 1;
            }
            rc = -EINVAL;
            break;
        }
        int done = 0;
        bl_yaml_event *e = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_STREAM_START_EVENT:
        case YAML_NO_EVENT:
            break;
        case YAML_DOCUMENT_START_EVENT:
            if ((e = push(&b)) == NULL) rc = -ENOMEM;
            else e->type = BL_YAML_DOCUMENT_START;
            break;
        case YAML_DOCUMENT_END_EVENT:
            if ((e = push(&b)) == NULL) rc = -ENOMEM;
            else e->type = BL_YAML_DOCUMENT_END;
            done = 1; /* only the first document counts (go-yaml Unmarshal) */
            break;
        case YAML_SEQUENCE_START_EVENT:
            if ((e = push(&b)) == NULL) { rc = -ENOMEM; break; }
            e->type = BL_YAML_SEQUENCE_START;
            e->plain_implicit = ev.data.sequence_start.implicit;
            if (arena_add(&b, ev.data.sequence_start.anchor, cstrlen(ev.data.sequence_start.anchor), &e->anchor_off, &e->anchor_len) ||
                arena_add(&b, ev.data.sequence_start.tag, cstrlen(ev.data.sequence_start.tag), &e->tag_off, &e->tag_len))
                rc = -ENOMEM;
            break;
        case YAML_SEQUENCE_END_EVENT:
            if ((e = push(&b)) == NULL) rc = -ENOMEM;
            else e->type = BL_YAML_SEQUENCE_END;
            break;
        case YAML_MAPPING_START_EVENT:
            if ((e = push(&b)) == NULL) { rc = -ENOMEM; break; }
            e->type = BL_YAML_MAPPING_START;
            e->plain_implicit = ev.data.mapping_start.implicit;
            if (arena_add(&b, ev.data.mapping_start.anchor, cstrlen(ev.data.mapping_start.anchor), &e->anchor_off, &e->anchor_len) ||
                arena_add(&b, ev.data.mapping_start.tag, cstrlen(ev.data.mapping_start.tag), &e->tag_off, &e->tag_len))
                rc = -ENOMEM;
            break;
        case YAML_MAPPING_END_EVENT:
            if ((e = push(&b)) == NULL) rc = -ENOMEM;
            else e->type = BL_YAML_MAPPING_END;
            break;
        case YAML_SCALAR_EVENT:
            if ((e = push(&b)) == NULL) { rc = -ENOMEM; break; }
            e->type = BL_YAML_SCALAR;
            e->style = (int32_t)ev.data.scalar.style;
            e->plain_implicit = ev.data.scalar.plain_implicit;
            if (arena_add(&b, ev.data.scalar.anchor, cstrlen(ev.data.scalar.anchor), &e->anchor_off, &e->anchor_len) ||
                arena_add(&b, ev.data.scalar.tag, cstrlen(ev.data.scalar.tag), &e->tag_off, &e->tag_len) ||
                arena_add(&b, ev.data.scalar.value ? ev.data.scalar.value : (yaml_char_t *)"", ev.data.scalar.length, &e->value_off, &e->value_len))
                rc = -ENOMEM;
            break;
        case YAML_ALIAS_EVENT:
            if ((e = push(&b)) == NULL) { rc = -ENOMEM; break; }
            e->type = BL_YAML_ALIAS;
            if (arena_add(&b, ev.data.alias.anchor, cstrlen(ev.data.alias.anchor), &e->anchor_off, &e->anchor_len))
                rc = -ENOMEM;
            break;
        }
        if (e != NULL) {
            e->line = (int32_t)ev.start_mark.line;
            e->column = (int32_t)ev.start_mark.column;
        }
        yaml_event_delete(&ev);
        if (rc != 0 || done) break;
    }
    yaml_parser_delete(&parser);
    return rc;
}

void bl_yaml_result_free(bl_yaml_result *out) {
    free(out->events);
    free(out->arena);
    out->events = NULL;
    out->arena = NULL;
    out->count = 0;
    out->arena_len = 0;
}
