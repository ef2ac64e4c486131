import {
  Controller,
  Delete,
  Get,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { ApiKeyGuard, RequireScope, type AuthedRequest } from '../http/auth.guard';
import { validateBatchFile } from './batch-lines';
import { publicFile, type FileStore, type PublicFile } from './file-store';
import { listLimit, OpenAiHttpError } from './openai-error';
import { OpenAiErrorFilter } from './openai-error.filter';
import { OPENAI_FILES } from './openai.tokens';

const bad = (message: string, param: string | null = null) =>
  new OpenAiHttpError(400, 'invalid_request_error', 'invalid_request', message, param);

type MultipartRequest = AuthedRequest & {
  isMultipart(): boolean;
  parts(): AsyncIterableIterator<Multipart>;
};

/** `/v1/files`: upload (multipart, `purpose=batch`, JSONL validated line by line), read, delete. */
@Controller('v1/files')
@UseGuards(ApiKeyGuard)
@UseFilters(OpenAiErrorFilter)
export class FilesController {
  constructor(@Inject(OPENAI_FILES) private readonly files: FileStore) {}

  @Post()
  @RequireScope('batches')
  async upload(@Req() req: MultipartRequest): Promise<PublicFile> {
    if (!req.isMultipart())
      throw bad('Send the file as multipart/form-data with "file" and "purpose"');
    let purpose: string | undefined;
    let data: Buffer | undefined;
    let filename = 'upload.jsonl';
    try {
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file')
            throw bad(`Unexpected file field "${part.fieldname}"`, 'file');
          filename = part.filename || filename;
          data = await part.toBuffer();
        } else if (part.fieldname === 'purpose') purpose = String(part.value);
      }
    } catch (e) {
      // The multipart parser's own refusals (size limits) carry their status; anything else
      // it throws means the body is not well-formed multipart.
      if (e instanceof OpenAiHttpError || (e as { statusCode?: number }).statusCode) throw e;
      throw bad('The multipart body is malformed; send "file" and "purpose" as form fields');
    }
    if (!data) throw bad('The "file" field is missing', 'file');
    if (purpose !== 'batch')
      throw bad('purpose must be "batch" (the only purpose this gateway stores)', 'purpose');
    const checked = validateBatchFile(data.toString('utf8'));
    if (!checked.ok) {
      const list = checked.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ');
      throw bad(`The batch file is invalid: ${list}`, 'file');
    }
    const f = await this.files.create(
      req.principal!.tenantId,
      { filename, purpose, lines: checked.lines },
      checked.normalised,
    );
    return publicFile(f);
  }

  @Get()
  @RequireScope('batches')
  async list(
    @Req() req: AuthedRequest,
    @Query('purpose') purpose: string | undefined,
    @Query('limit') limit: string | undefined,
  ) {
    const n = listLimit(limit, 1000, 10_000);
    const data = (await this.files.list(req.principal!.tenantId, n, purpose)).map(publicFile);
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: false,
    };
  }

  @Get(':id')
  @RequireScope('batches')
  async get(@Req() req: AuthedRequest, @Param('id') id: string): Promise<PublicFile> {
    return publicFile(await this.files.get(req.principal!.tenantId, id));
  }

  @Get(':id/content')
  @RequireScope('batches')
  async content(
    @Req() req: AuthedRequest,
    @Param('id') id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const f = await this.files.get(req.principal!.tenantId, id);
    await reply
      .header('content-type', 'application/jsonl')
      .header('content-length', String(f.bytes))
      .send(this.files.content(f));
  }

  @Delete(':id')
  @RequireScope('batches')
  async remove(@Req() req: AuthedRequest, @Param('id') id: string) {
    await this.files.delete(req.principal!.tenantId, id);
    return { id, object: 'file', deleted: true };
  }
}
