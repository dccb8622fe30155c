#include "edge/span.h"

#include <doctest/doctest.h>

#include <string>

namespace edge {
namespace {

TEST_CASE("a default Span is a root server span with no status and no attributes") {
  const Span span;
  CHECK_FALSE(span.trace_id.IsValid());
  CHECK_FALSE(span.parent_span_id.IsValid());
  CHECK(span.kind == SpanKind::kServer);
  CHECK(span.status == SpanStatusCode::kUnset);
  CHECK(span.flags == 0);
  CHECK(span.attributes.size() == 0);
  CHECK(span.attributes.dropped() == 0);
}

TEST_CASE("each Add stores its key, type and value in order") {
  AttributeList list;
  CHECK(list.AddString("url.path", "/a"));
  CHECK(list.AddInt("http.response.status_code", -7));
  CHECK(list.AddBool("faas.coldstart", true));
  CHECK(list.AddDouble("ratio", 0.5));
  REQUIRE(list.size() == 4);

  CHECK(list.at(0).key == "url.path");
  CHECK(list.at(0).type == AttributeType::kString);
  CHECK(list.at(0).string_value == "/a");

  CHECK(list.at(1).key == "http.response.status_code");
  CHECK(list.at(1).type == AttributeType::kInt);
  CHECK(list.at(1).int_value == -7);

  CHECK(list.at(2).type == AttributeType::kBool);
  CHECK(list.at(2).bool_value);

  CHECK(list.at(3).type == AttributeType::kDouble);
  CHECK(list.at(3).double_value == 0.5);
  CHECK(list.dropped() == 0);
}

TEST_CASE("an Add sets only its own value field") {
  AttributeList list;
  list.AddInt("n", 42);
  CHECK(list.at(0).string_value.empty());
  CHECK(list.at(0).double_value == 0);
  CHECK_FALSE(list.at(0).bool_value);
}

TEST_CASE("a full list drops further attributes and counts them") {
  AttributeList list;
  for (size_t i = 0; i < AttributeList::kCapacity; ++i) {
    REQUIRE(list.AddInt("k", static_cast<int64_t>(i)));
  }
  CHECK(list.size() == AttributeList::kCapacity);
  CHECK_FALSE(list.AddString("late", "x"));
  CHECK_FALSE(list.AddInt("late", 1));
  CHECK_FALSE(list.AddBool("late", true));
  CHECK_FALSE(list.AddDouble("late", 1.0));
  CHECK(list.size() == AttributeList::kCapacity);
  CHECK(list.dropped() == 4);
  CHECK(list.at(AttributeList::kCapacity - 1).int_value ==
        static_cast<int64_t>(AttributeList::kCapacity - 1));
}

TEST_CASE("attributes are views: the list does not copy the strings") {
  const std::string value = "owned by the caller";
  AttributeList list;
  list.AddString("k", value);
  CHECK(list.at(0).string_value.data() == value.data());
}

}  // namespace
}  // namespace edge
