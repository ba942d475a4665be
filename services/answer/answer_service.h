// The gRPC edge of answer. Maps CallAgent's statuses to gRPC statuses one to
// one and reports each outcome to the AnswerProbe (answer_probe.h); holds no
// conversation logic.
#ifndef FRONTDESK_SERVICES_ANSWER_ANSWER_SERVICE_H_
#define FRONTDESK_SERVICES_ANSWER_ANSWER_SERVICE_H_

#include "frontdesk/answer/v1/answer_service.grpc.pb.h"
#include "services/answer/answer_probe.h"
#include "services/answer/call_agent.h"

namespace frontdesk::answer {

class AnswerService final : public frontdesk::answer::v1::Answer::Service {
 public:
  // `agent` and `probe` must outlive the service.
  AnswerService(CallAgent* agent, AnswerProbe* probe);

  grpc::Status StartCall(
      grpc::ServerContext* context,
      const frontdesk::answer::v1::StartCallRequest* request,
      frontdesk::answer::v1::StartCallResponse* response) override;
  grpc::Status Turn(grpc::ServerContext* context,
                    const frontdesk::answer::v1::TurnRequest* request,
                    frontdesk::answer::v1::TurnResponse* response) override;
  grpc::Status EndCall(
      grpc::ServerContext* context,
      const frontdesk::answer::v1::EndCallRequest* request,
      frontdesk::answer::v1::EndCallResponse* response) override;

 private:
  CallAgent* agent_;
  AnswerProbe* probe_;
};

}  // namespace frontdesk::answer

#endif  // FRONTDESK_SERVICES_ANSWER_ANSWER_SERVICE_H_
