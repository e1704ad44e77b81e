#pragma once
// What a renderer renders; -o itself is read by output/output_options.hpp.

namespace output {

enum class Format { table, wide, json, yaml };

} // namespace output
