#ifndef BOOKBUS_CZEROMQ_SHIM_H
#define BOOKBUS_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
