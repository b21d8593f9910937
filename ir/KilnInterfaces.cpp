//===- KilnInterfaces.cpp - Op interfaces of the kiln dialect -------------===//

#include "ir/KilnInterfaces.h"

#include "ir/KilnInterfaces.cpp.inc"
